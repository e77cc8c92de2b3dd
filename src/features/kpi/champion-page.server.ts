/**
 * Who may see which department on the champion pages (the page and its roster CSV): champions
 * their own only, admins any (`?department=`). A refusal is audited.
 */
import { z } from 'astro/zod';
import type { Department, Role } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import type { Db } from '../../platform/db.server.ts';
import { MAX_ID } from '../../platform/input/id.ts';
import { audit } from '../audit/audit.server.ts';
import { listDepartments } from '../users/users-admin.server.ts';
import { championView, type ChampionView } from './champion.server.ts';
import { questionText, type QuestionRow } from './questions.ts';
import { parseRosterQuery } from './champion-roster.ts';

interface Viewer {
  id: number;
  email: string;
  role: Role;
  departmentId: number | null;
}

// Any whole number is a department asked for (not the viewer's own unless it is theirs), even
// past the id range: a champion asking for one is refused like for any other department.
const DepartmentParam = z.coerce.number().int().positive();

/** The department asked for (`?department=`, else the viewer's own) and whether the viewer may see it. */
export function championDepartment(viewer: Viewer, requested: string | null): { departmentId: number | null; allowed: boolean } {
  const parsed = DepartmentParam.safeParse(requested ?? undefined);
  const departmentId = parsed.success ? parsed.data : viewer.departmentId;
  return { departmentId, allowed: viewer.role === 'admin' || departmentId === viewer.departmentId };
}

async function recordDenied(db: Db, viewer: Viewer, departmentId: number | null, route: string, ip: string | null): Promise<void> {
  await db.write(async (tx) => await audit(tx, { actor: viewer, action: 'access.denied', target: { type: 'department', id: departmentId ?? 'none' }, details: { route }, ip }));
}

export type ChampionPage =
  | { denied: true }
  | { denied: false; departmentId: number | null; departments: Department[]; department: Department | null; view: ChampionView | null; questions: QuestionRow[] };

/**
 * The champion page's data; `denied` (audited) when a champion asks for another department. A big
 * department's roster page and order come from `params` (`sort`, `dir`, `page`; unknown → defaults).
 */
export async function loadChampionPage(
  db: Db,
  catalog: Catalog,
  viewer: Viewer,
  requested: string | null,
  context: { ip: string | null; locale: Locale; timeZone: string; params?: URLSearchParams },
): Promise<ChampionPage> {
  const { departmentId, allowed } = championDepartment(viewer, requested);
  if (!allowed) {
    await recordDenied(db, viewer, departmentId, '/champion', context.ip);
    return { denied: true };
  }
  const departments = await listDepartments(db);
  const department = departments.find((d) => d.id === departmentId) ?? null;
  const view = department ? await championView(db, catalog, department.id, context.timeZone, undefined, parseRosterQuery(context.params ?? new URLSearchParams())) : null;
  const questions = (view?.questions ?? []).map((q): QuestionRow => {
    const text = questionText(catalog, context.locale, q.quizId, q.questionId);
    const wrong = q.mostChosenWrong;
    return {
      quizId: q.quizId,
      questionId: q.questionId,
      quizTitle: text?.quizTitle ?? q.quizId,
      prompt: text?.prompt ?? q.questionId,
      answers: q.answers,
      correctRate: q.correctRate,
      mostChosenWrong: wrong ? { text: text?.option(wrong.optionId) ?? wrong.optionId, count: wrong.count } : null,
    };
  });
  return { denied: false, departmentId, departments, department, view, questions };
}

/** The department of a roster download (null: refused, and audited); the download itself is audited too. */
export async function authorizeRosterDownload(db: Db, viewer: Viewer, requested: string | null, ip: string | null): Promise<number | null> {
  const { departmentId, allowed } = championDepartment(viewer, requested);
  if (departmentId === null || !allowed) {
    await recordDenied(db, viewer, departmentId, '/champion/roster.csv', ip);
    return null;
  }
  // Past the id range no department has it (and PostgreSQL would refuse the number): no roster.
  if (departmentId > MAX_ID) return null;
  await db.write(async (tx) => await audit(tx, { actor: viewer, action: 'export.downloaded', target: { type: 'roster', id: departmentId }, ip }));
  return departmentId;
}
