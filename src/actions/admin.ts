/**
 * Admin actions: users, assignments, waves, help-desk inquiries, baseline, xAPI push.
 * Every handler checks the admin role itself and writes the audit log.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { inArray } from 'drizzle-orm';
import { departments, ROLES, TARGET_KPIS, waves } from '../../db/schema.ts';
import { isValidEmail, normalizeEmail } from '../lib/email.ts';
import { nameField, textField } from '../lib/text.ts';
import { TIER_IDS } from '../lib/content/schemas.ts';
import { createAssignment, deleteAssignment, syncEnrolments } from '../lib/server/assignments.ts';
import { audit } from '../lib/server/audit.ts';
import { getDb, type DbExecutor } from '../lib/server/db.ts';
import { saveInquiries } from '../lib/server/helpdesk.ts';
import { runImport } from '../lib/server/import-runner.ts';
import { createLoginToken, loginLinkUrl } from '../lib/server/login-link.ts';
import { clientIp } from '../lib/server/request.ts';
import { setBaseline } from '../lib/server/settings.ts';
import { createUser, ensureDepartment, findUserIdByEmail } from '../lib/server/user.ts';
import { getUser, setActive, updateUser } from '../lib/server/users-admin.ts';
import { deleteWave, saveWave } from '../lib/server/waves.ts';
import { getConfig } from '../lib/server/config.ts';
import { startPushJob } from '../lib/server/xapi-jobs.ts';
import { liveStatements } from '../lib/server/xapi-live.ts';
import { USERS_CSV_MAX_BYTES } from '../lib/users-csv.ts';
import { HELPDESK_CSV_MAX_BYTES } from '../lib/helpdesk-csv.ts';
import { requireAdmin, requireAdminRules } from './guard.ts';

const Id = z.coerce.number().int().positive().max(2 ** 31);
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const Day = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)
  // The pattern lets 2026-02-31 through; a real calendar day round-trips.
  // Zod runs this check even when the pattern failed, so it must not throw on any string.
  .refine((day) => {
    const date = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
  }, 'invalid_date');
/** An optional id: an empty form field arrives as null (or undefined when the field is optional). */
const OptionalId = Id.nullish();

/**
 * Refuses ids of departments or waves that do not exist (a forged or stale form): the foreign
 * keys would refuse them too, but as an error thrown mid-write, which answered 500.
 */
function requireExisting(
  db: DbExecutor,
  table: typeof departments | typeof waves,
  ids: readonly number[],
  message: string,
  code: 'BAD_REQUEST' | 'NOT_FOUND' = 'BAD_REQUEST',
): void {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = db.select({ id: table.id }).from(table).where(inArray(table.id, wanted)).all().length;
  if (found !== wanted.length) throw new ActionError({ code, message });
}

async function readUpload(file: unknown, maxBytes: number): Promise<Uint8Array> {
  if (!(file instanceof File) || file.size === 0) throw new ActionError({ code: 'BAD_REQUEST', message: 'no_file' });
  if (file.size > maxBytes) throw new ActionError({ code: 'CONTENT_TOO_LARGE', message: 'file_too_large' });
  return new Uint8Array(await file.arrayBuffer());
}

export const admin = {
  updateUser: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id, role: z.enum(ROLES), departmentId: OptionalId }),
    handler: ({ userId, role, departmentId: rawDepartment }, context) => {
      const departmentId = rawDepartment ?? null;
      const actor = requireAdmin(context);
      const db = getDb();
      const change = db.transaction(
        (tx) => {
          if (departmentId !== null) requireExisting(tx, departments, [departmentId], 'unknown_department');
          const user = getUser(tx, userId);
          if (user) requireAdminRules(tx, actor.id, user, { role });
          return updateUser(tx, userId, { role, departmentId });
        },
        { behavior: 'immediate' },
      );
      if (!change) throw new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
      audit(db, { actor, action: 'user.updated', target: { type: 'user', id: userId }, details: { ...change }, ip: clientIp(context) });
      return { userId };
    },
  }),

  setActive: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id, active: z.enum(['true', 'false']).transform((v) => v === 'true') }),
    handler: ({ userId, active }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      const changed = db.transaction(
        (tx) => {
          const user = getUser(tx, userId);
          if (!user) return null;
          requireAdminRules(tx, actor.id, user, { active });
          return setActive(tx, userId, active);
        },
        { behavior: 'immediate' },
      );
      if (changed === null) throw new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
      if (changed) {
        audit(db, { actor, action: active ? 'user.reactivated' : 'user.deactivated', target: { type: 'user', id: userId }, ip: clientIp(context) });
      }
      return { userId, active };
    },
  }),

  createUser: defineAction({
    accept: 'form',
    input: z.strictObject({
      email: z.string().trim().max(254).refine(isValidEmail, 'bad_email').transform(normalizeEmail),
      name: nameField('name', 100),
      department: nameField('department', 100),
      role: z.enum(ROLES),
    }),
    handler: ({ email, name, department, role }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      if (findUserIdByEmail(db, email) !== null) throw new ActionError({ code: 'CONFLICT', message: 'email_taken' });
      const userId = db.transaction(
        (tx) => {
          const id = createUser(tx, { email, displayName: name, role, departmentId: ensureDepartment(tx, department) });
          syncEnrolments(tx);
          return id;
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor, action: 'user.created', target: { type: 'user', id: userId }, details: { email, role, department }, ip: clientIp(context) });
      const token = createLoginToken(db, userId, actor.id);
      audit(db, { actor, action: 'user.login_link_created', target: { type: 'user', id: userId }, ip: clientIp(context) });
      return { userId, email, link: loginLinkUrl(token, getConfig().siteUrl) };
    },
  }),

  createLoginLink: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id }),
    handler: ({ userId }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      const user = getUser(db, userId);
      if (!user) throw new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
      if (!user.active) throw new ActionError({ code: 'BAD_REQUEST', message: 'inactive_user' });
      const token = createLoginToken(db, userId, actor.id, user.passwordHash ? 'reset' : 'first_login');
      audit(db, { actor, action: 'user.login_link_created', target: { type: 'user', id: userId }, ip: clientIp(context) });
      return { userId, email: user.email, link: loginLinkUrl(token, getConfig().siteUrl) };
    },
  }),

  importUsers: defineAction({
    accept: 'form',
    input: z.strictObject({ file: z.instanceof(File), update: z.literal('on').optional() }),
    handler: async ({ file, update }, context) => {
      const actor = requireAdmin(context);
      const bytes = await readUpload(file, USERS_CSV_MAX_BYTES);
      // Decoded, validated and written in a worker thread, audited there in the same transaction.
      return runImport({
        kind: 'users',
        databaseFile: getDb().$client.name,
        bytes,
        options: { update: update === 'on', actor: { id: actor.id, email: actor.email }, ip: clientIp(context), fileName: file.name },
      });
    },
  }),

  createAssignment: defineAction({
    accept: 'form',
    input: z.strictObject({
      tierId: z.enum(TIER_IDS),
      target: z.enum(['everyone', 'role', 'department', 'wave']),
      role: z.union([z.literal(''), z.enum(ROLES)]).optional(),
      departmentId: OptionalId.optional(),
      waveId: OptionalId.optional(),
      dueKind: z.enum(['none', 'date', 'days']),
      dueDate: z.union([z.literal(''), Day]).optional(),
      dueDays: z.union([z.literal(''), z.coerce.number().int().min(1).max(730)]).optional(),
    }),
    handler: (input, context) => {
      const actor = requireAdmin(context);
      const target =
        input.target === 'everyone'
          ? ({ kind: 'everyone' } as const)
          : input.target === 'role' && input.role
            ? ({ kind: 'role', role: input.role } as const)
            : input.target === 'department' && input.departmentId
              ? ({ kind: 'department', departmentId: input.departmentId } as const)
              : input.target === 'wave' && input.waveId
                ? ({ kind: 'wave', waveId: input.waveId } as const)
                : null;
      if (!target) throw new ActionError({ code: 'BAD_REQUEST', message: 'target_missing' });
      const due =
        input.dueKind === 'none'
          ? ({ kind: 'none' } as const)
          : input.dueKind === 'date' && input.dueDate
            ? ({ kind: 'date', date: input.dueDate } as const)
            : input.dueKind === 'days' && typeof input.dueDays === 'number'
              ? ({ kind: 'days', days: input.dueDays } as const)
              : null;
      if (!due) throw new ActionError({ code: 'BAD_REQUEST', message: 'due_missing' });
      const db = getDb();
      const id = db.transaction(
        (tx) => {
          if (target.kind === 'department') requireExisting(tx, departments, [target.departmentId], 'unknown_department');
          if (target.kind === 'wave') requireExisting(tx, waves, [target.waveId], 'unknown_wave');
          return createAssignment(tx, { tierId: input.tierId, target, due, createdBy: actor.id });
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor, action: 'assignment.created', target: { type: 'assignment', id }, details: { tierId: input.tierId, target, due }, ip: clientIp(context) });
      return { id };
    },
  }),

  deleteAssignment: defineAction({
    accept: 'form',
    input: z.strictObject({ assignmentId: Id }),
    handler: ({ assignmentId }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      if (!deleteAssignment(db, assignmentId)) throw new ActionError({ code: 'NOT_FOUND', message: 'No such assignment.' });
      audit(db, { actor, action: 'assignment.deleted', target: { type: 'assignment', id: assignmentId }, ip: clientIp(context) });
      return { assignmentId };
    },
  }),

  saveWave: defineAction({
    accept: 'form',
    handler: (form: FormData, context) => {
      const actor = requireAdmin(context);
      const WaveForm = z.strictObject({
        waveId: z.union([z.literal(''), Id]).transform((v) => (v === '' ? null : v)),
        name: nameField('waveName', 100),
        position: z.coerce.number().int().min(0).max(1000),
        startDate: Day,
        endDate: Day,
        description: textField('description', 1000, { multiline: true }),
        departmentIds: z.array(Id).max(1000),
        targets: z.array(z.strictObject({ kpi: z.enum(TARGET_KPIS), comparator: z.enum(['gte', 'lte']), value: z.number().min(0).max(1_000_000) })).max(TARGET_KPIS.length),
      });
      const raw = {
        waveId: form.get('waveId') ?? '',
        name: form.get('name'),
        position: form.get('position') ?? '0',
        startDate: form.get('startDate'),
        endDate: form.get('endDate'),
        description: form.get('description') ?? '',
        departmentIds: form.getAll('departmentIds').map(Number),
        targets: TARGET_KPIS.flatMap((kpi) => {
          const value = String(form.get(`target.${kpi}`) ?? '').trim();
          if (value === '') return [];
          const number = Number(value);
          // Rates are entered as percentages and stored as fractions.
          const stored = ['usage_rate', 'basic_completion', 'applied_completion', 'specialist_completion', 'quiz_pass_rate'].includes(kpi) ? number / 100 : number;
          return [{ kpi, comparator: kpi === 'helpdesk_inquiries' ? ('lte' as const) : ('gte' as const), value: stored }];
        }),
      };
      const known = new Set(['waveId', 'name', 'position', 'startDate', 'endDate', 'description', 'departmentIds', ...TARGET_KPIS.map((k) => `target.${k}`)]);
      if ([...form.keys()].some((key) => !known.has(key))) throw new ActionError({ code: 'BAD_REQUEST', message: 'unknown_field' });
      const parsed = WaveForm.safeParse(raw);
      // Hidden characters get their own message, naming the field; anything else is one generic refusal.
      const hidden = parsed.error?.issues.find((issue) => issue.message.startsWith('text.invisible.'))?.message;
      if (!parsed.success || parsed.data.targets.some((t) => !Number.isFinite(t.value))) throw new ActionError({ code: 'BAD_REQUEST', message: hidden ?? 'invalid_wave' });
      const input = parsed.data;
      if (input.endDate < input.startDate) throw new ActionError({ code: 'BAD_REQUEST', message: 'end_before_start' });
      const db = getDb();
      const id = db.transaction(
        (tx) => {
          if (input.waveId !== null) requireExisting(tx, waves, [input.waveId], 'No such wave.', 'NOT_FOUND');
          requireExisting(tx, departments, input.departmentIds, 'unknown_department');
          // A department listed twice is one department (the form's checkboxes cannot repeat one; a forged form can).
          return saveWave(tx, { ...input, departmentIds: [...new Set(input.departmentIds)], description: input.description || null }, input.waveId);
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor, action: input.waveId ? 'wave.updated' : 'wave.created', target: { type: 'wave', id }, details: { name: input.name, departments: input.departmentIds.length, targets: input.targets }, ip: clientIp(context) });
      return { waveId: id };
    },
  }),

  deleteWave: defineAction({
    accept: 'form',
    input: z.strictObject({ waveId: Id }),
    handler: ({ waveId }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      if (!db.transaction((tx) => deleteWave(tx, waveId), { behavior: 'immediate' })) throw new ActionError({ code: 'NOT_FOUND', message: 'No such wave.' });
      audit(db, { actor, action: 'wave.deleted', target: { type: 'wave', id: waveId }, ip: clientIp(context) });
      return { waveId };
    },
  }),

  saveInquiries: defineAction({
    accept: 'form',
    input: z.strictObject({ month: Month, departmentId: OptionalId, count: z.coerce.number().int().min(0).max(10_000_000) }),
    handler: ({ month, departmentId: rawDepartment, count }, context) => {
      const departmentId = rawDepartment ?? null;
      const actor = requireAdmin(context);
      const db = getDb();
      if (departmentId !== null) requireExisting(db, departments, [departmentId], 'unknown_department');
      saveInquiries(db, { month, departmentId, count, updatedBy: actor.id });
      audit(db, { actor, action: 'helpdesk.saved', details: { month, departmentId, count }, ip: clientIp(context) });
      return { month };
    },
  }),

  importInquiries: defineAction({
    accept: 'form',
    input: z.strictObject({ file: z.instanceof(File) }),
    handler: async ({ file }, context) => {
      const actor = requireAdmin(context);
      const bytes = await readUpload(file, HELPDESK_CSV_MAX_BYTES);
      return runImport({ kind: 'helpdesk', databaseFile: getDb().$client.name, bytes, options: { actor: { id: actor.id, email: actor.email }, ip: clientIp(context), fileName: file.name } });
    },
  }),

  saveBaseline: defineAction({
    accept: 'form',
    input: z.strictObject({ from: Month, to: Month }).refine((v) => v.from <= v.to, 'from_after_to'),
    handler: ({ from, to }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      setBaseline(db, { from, to });
      audit(db, { actor, action: 'baseline.saved', details: { from, to }, ip: clientIp(context) });
      return { from, to };
    },
  }),

  pushXapi: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      const { xapi } = getConfig();
      if (!xapi) throw new ActionError({ code: 'BAD_REQUEST', message: 'XAPI_ENDPOINT is not set' });
      // In the background: the answer comes at once, the page shows the job's progress.
      const { job, started } = startPushJob(db, xapi, actor.id, liveStatements(db));
      audit(db, { actor, action: 'xapi.pushed', details: { jobId: job.id, started, endpoint: job.endpoint }, ip: clientIp(context) });
      return { jobId: job.id, started };
    },
  }),
};
