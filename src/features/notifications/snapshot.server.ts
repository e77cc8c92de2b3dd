/**
 * The notification snapshot (model.ts) from the database: every active, non-erased user with a
 * routable address, their assignments, newest certificates, open renewals, policies and this
 * month's check-in, their opt-outs; each champion's department week; the admins' KPI summary of
 * the month before (in its window only). A fixed number of grouped reads whatever the number of users (no query per
 * user), converted by the pure helpers in snapshot.ts. Days are local days in APP_TIMEZONE.
 *
 * The curriculum and the policies come from `sources`; without them they are read once from the
 * content folder (MANABI_CONTENT_DIR), which works in the server, the CLIs and tests alike.
 * Pages can pass `getCatalog()` / `getPolicyCatalog()` instead.
 */
import { sql, type SQL } from 'drizzle-orm';
import { buildCatalog, type Catalog } from '../curriculum/catalog.ts';
import { contentDir } from '../curriculum/location.ts';
import { readCorpus } from '../curriculum/read-corpus.ts';
import { loadScopeKpis } from '../kpi/dashboard.server.ts';
import { buildPolicyCatalog, type PolicyCatalog } from '../policies/policies.ts';
import { readPolicies } from '../policies/read-policies.ts';
import { dueAtFor } from '../programme/assignments.server.ts';
import type { Role } from '../users/roles.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { getBuildConfig, getConfig } from '../../platform/config.server.ts';
import { endOfDay } from '../../platform/dates.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import type { CalendarUser } from './calendar.ts';
import type { AdminSnapshot, ChampionSnapshot, DepartmentWeek, KpiSummary, LearnerSnapshot, NotificationSnapshot, OptionalKind } from './model.ts';
import { isOptionalKind } from './model.ts';
import { readNotificationSettings } from './settings.server.ts';
import {
  assignmentSnapshots,
  certificateSnapshots,
  departmentWeek,
  digestWeek,
  kpiSummary,
  localDays,
  policySnapshots,
  renewalSnapshots,
  tierRefs,
  type CertificateRow,
  type EnrolmentRow,
  type Member,
} from './snapshot.ts';
import { monthlySummaryPeriod } from './team-triggers.ts';
import { addDays, isLocalDay, monthOf } from './working-days.ts';
import { rows } from '../../platform/query.ts';

export interface SnapshotSources {
  catalog: Catalog;
  policies: PolicyCatalog;
}

/**
 * The snapshot plus what the channel posts need (`channelPosts`): every department's week and the
 * programme's summary. Outside the monthly summary's window (team-triggers.ts) nobody is due the
 * summary: `programme` is null and `admins` empty (admins are still among the learners).
 */
export interface LoadedNotificationSnapshot extends NotificationSnapshot {
  departments: readonly DepartmentWeek[];
  programme: KpiSummary | null;
}

let cachedSources: SnapshotSources | null = null;

/** The curriculum and policies of the content folder, read once per process; a broken folder is an error, not an empty programme. */
export function contentSources(): SnapshotSources {
  if (cachedSources) return cachedSources;
  const dir = contentDir(getBuildConfig().contentDir);
  const corpus = readCorpus(dir);
  const policies = readPolicies(dir);
  const problems = [...corpus.problems, ...policies.problems];
  if (problems.length > 0) throw new Error(`The content in ${dir} has problems (npm run content:check): ${problems[0]}`);
  cachedSources = { catalog: buildCatalog(corpus.corpus), policies: buildPolicyCatalog(policies.entries) };
  return cachedSources;
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  locale: Locale;
  role: Role;
  departmentId: number | null;
  departmentName: string | null;
}

/** Everyone who can be told anything: active, never erased, with an address that routes (an erased one ends in `@invalid`). */
const PEOPLE = sql`u.active and u.erased_at is null and u.email like '%_@_%' and u.email not like '%@invalid'`;

interface LearnerRows {
  users: UserRow[];
  enrolments: Map<number, EnrolmentRow[]>;
  certificates: Map<number, CertificateRow[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Users (all, or one), their enrolments and certificates: three reads, grouped by user in memory. */
async function learnerRows(q: Tx, only: number | null, timeZone: string): Promise<LearnerRows> {
  const scope: SQL = only === null ? sql`` : sql` and u.id = ${only}`;
  const users = await rows<UserRow>(
    q,
    sql`
    select u.id, u.email, u.display_name name, u.locale, u.role, u.department_id "departmentId", d.name "departmentName"
    from users u left join departments d on d.id = u.department_id where ${PEOPLE}${scope} order by u.id`,
  );
  const enrolments = new Map<number, EnrolmentRow[]>();
  for (const row of await rows<{ userId: number; assignmentId: number; tierId: string; enrolledAt: number; dueDate: string | null; dueDays: number | null }>(
    q,
    sql`
    select e.user_id "userId", e.assignment_id "assignmentId", a.tier_id "tierId", e.enrolled_at "enrolledAt", a.due_date "dueDate", a.due_days "dueDays"
    from assignment_enrolments e join assignments a on a.id = e.assignment_id join users u on u.id = e.user_id where ${PEOPLE}${scope}`,
  )) {
    const enrolledAt = new Date(row.enrolledAt);
    push(enrolments, row.userId, { assignmentId: row.assignmentId, tierId: row.tierId, enrolledAt, dueAt: dueAtFor(row, enrolledAt, timeZone) });
  }
  const certificates = new Map<number, CertificateRow[]>();
  for (const row of await rows<{ userId: number; id: number; tierId: string; cycle: number; code: string; issuedAt: number; validUntil: number | null }>(
    q,
    sql`
    select c.user_id "userId", c.id, c.tier_id "tierId", c.cycle, c.code, c.issued_at "issuedAt", c.valid_until "validUntil"
    from certificates c join users u on u.id = c.user_id where ${PEOPLE}${scope}`,
  )) {
    push(certificates, row.userId, { ...row, issuedAt: new Date(row.issuedAt), validUntil: row.validUntil === null ? null : new Date(row.validUntil) });
  }
  return { users, enrolments, certificates };
}

type Converters = { tier: ReturnType<typeof tierRefs>; day: ReturnType<typeof localDays> };

function calendarPart(catalog: Catalog, rows: LearnerRows, user: UserRow, at: Date, c: Converters): Pick<LearnerSnapshot, 'assignments' | 'certificates' | 'renewals'> {
  const certificates = rows.certificates.get(user.id) ?? [];
  const certified = new Set(certificates.map((cert) => cert.tierId));
  return {
    assignments: assignmentSnapshots(rows.enrolments.get(user.id) ?? [], certified, c.tier, c.day),
    certificates: certificateSnapshots(certificates, c.tier, c.day),
    renewals: renewalSnapshots(catalog, certificates, at, c.tier, c.day),
  };
}

function converters(catalog: Catalog, timeZone: string): Converters {
  return { tier: tierRefs(catalog), day: localDays(timeZone) };
}

/**
 * One user's deadlines for the calendar feed: their assignments, open renewals and newest
 * certificates; null for an unknown, deactivated or erased user. `today` is accepted for a
 * stable signature (the feed holds every open deadline, past or future, whatever the day).
 */
export async function loadCalendarUser(db: Db, userId: number, today: string, catalog: Catalog = contentSources().catalog): Promise<CalendarUser | null> {
  if (!isLocalDay(today)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(today)}`);
  const { timeZone } = getConfig();
  const at = clockNow();
  const rows = await db.read(async (q) => await learnerRows(q, userId, timeZone));
  const user = rows.users[0];
  if (!user) return null;
  return { userId: String(user.id), locale: user.locale, ...calendarPart(catalog, rows, user, at, converters(catalog, timeZone)) };
}

interface OtherRows {
  acknowledged: Map<number, Map<string, number>>;
  checkedIn: Set<number>;
  optOuts: Map<number, OptionalKind[]>;
  comments: Map<number, number>;
  departments: { id: number; name: string }[];
}

/** Policy acknowledgements (newest version per policy), this month's check-ins, opt-outs, the week's comments, departments. */
async function otherRows(q: Tx, month: string, week: { fromMs: number; untilMs: number }): Promise<OtherRows> {
  const acknowledged = new Map<number, Map<string, number>>();
  for (const row of await rows<{ userId: number; policyId: string; version: number }>(
    q,
    sql`
    select p.user_id "userId", p.policy_id "policyId", max(p.version) version from policy_acknowledgements p join users u on u.id = p.user_id
    where ${PEOPLE} group by p.user_id, p.policy_id`,
  )) {
    let own = acknowledged.get(row.userId);
    if (!own) acknowledged.set(row.userId, (own = new Map()));
    own.set(row.policyId, row.version);
  }
  const checkedIn = new Set((await rows<{ userId: number }>(q, sql`select user_id "userId" from checkins where month = ${month}`)).map((r) => r.userId));
  const optOuts = new Map<number, OptionalKind[]>();
  for (const row of await rows<{ userId: number; kind: string }>(q, sql`select user_id "userId", kind from notification_opt_outs`)) {
    if (isOptionalKind(row.kind)) push(optOuts, row.userId, row.kind);
  }
  const comments = new Map(
    (
      await rows<{ departmentId: number; n: number }>(
        q,
        sql`
    select u.department_id "departmentId", count(*) n from lesson_feedback f join users u on u.id = f.user_id
    where f.comment is not null and f.updated_at >= ${week.fromMs} and f.updated_at < ${week.untilMs} and u.department_id is not null
    group by u.department_id`,
      )
    ).map((r) => [r.departmentId, r.n]),
  );
  const departments = await rows<{ id: number; name: string }>(q, sql`select id, name from departments order by id`);
  return { acknowledged, checkedIn, optOuts, comments, departments };
}

/** Everything the day's triggers read, for `today` (a local day in APP_TIMEZONE). */
export async function loadNotificationSnapshot(db: Db, today: string, sources: SnapshotSources = contentSources()): Promise<LoadedNotificationSnapshot> {
  if (!isLocalDay(today)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(today)}`);
  const { timeZone } = getConfig();
  const at = clockNow();
  const month = monthOf(today);
  const week = digestWeek(today, (await readNotificationSettings(db)).digestWeekday);
  const weekMs = { fromMs: endOfDay(addDays(week.from, -1), timeZone).getTime() + 1, untilMs: endOfDay(week.until, timeZone).getTime() + 1 };
  const { rows, other } = await db.read(async (q) => ({ rows: await learnerRows(q, null, timeZone), other: await otherRows(q, month, weekMs) }));
  // The KPIs (the heaviest reads) only in the monthly summary's window: outside it nobody is due one.
  const summarised = monthlySummaryPeriod(today);
  const programme = summarised === null ? null : kpiSummary((await loadScopeKpis(db, sources.catalog, { from: summarised, to: summarised }, timeZone)).kpisFor(null), summarised);

  const c = converters(sources.catalog, timeZone);
  const members = new Map<number, Member[]>();
  const learners: LearnerSnapshot[] = rows.users.map((user) => {
    const learner: LearnerSnapshot = {
      userId: String(user.id),
      name: user.name,
      email: user.email,
      locale: user.locale,
      optOut: other.optOuts.get(user.id) ?? [],
      ...calendarPart(sources.catalog, rows, user, at, c),
      policies: policySnapshots(sources.policies, { role: user.role, departmentName: user.departmentName }, other.acknowledged.get(user.id)),
      checkInSubmitted: other.checkedIn.has(user.id),
    };
    if (user.departmentId !== null) push(members, user.departmentId, { learner, name: user.name });
    return learner;
  });
  const departments = other.departments.map((d) => departmentWeek({ id: String(d.id), name: d.name }, members.get(d.id) ?? [], week, other.comments.get(d.id) ?? 0));
  const weekOf = new Map(departments.map((w) => [w.department.id, w]));
  const byId = new Map(learners.map((l) => [l.userId, l]));
  const recipient = (user: UserRow) => {
    const { userId, name, email, locale, optOut } = byId.get(String(user.id))!;
    return { userId, name, email, locale, optOut };
  };
  const champions: ChampionSnapshot[] = rows.users
    .filter((u) => u.role === 'champion' && u.departmentId !== null)
    .map((u) => ({ ...recipient(u), week: weekOf.get(String(u.departmentId))! }));
  const admins: AdminSnapshot[] = programme === null ? [] : rows.users.filter((u) => u.role === 'admin').map((u) => ({ ...recipient(u), kpi: programme }));
  // The check-in of the month opens on its first day (the form is there all month).
  const checkIn = { month, opensOn: `${month}-01` };
  return { learners, checkIn, champions, admins, departments, programme };
}
