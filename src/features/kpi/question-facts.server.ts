/**
 * The per-question facts of one scope (the dashboard shows only its scope's questions): answers,
 * correct ones and the wrong options chosen, summed in SQL over the scope's departments, so the
 * read returns one row per question (and wrong option) instead of one per department and question.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.server.ts';
import type { Period, QuestionFacts } from './kpi.ts';
import { rows, jsonIds } from '../../platform/query.ts';

/**
 * The scope (department ids, null: no department; null scope: the company) over `period`. Keys in
 * the order per-department facts added up would give them (combineFacts: departments by id, no
 * department last; within one, by quiz and question), so equal rates sort as they did.
 */
export async function loadScopeQuestions(db: Db, period: Period, scope: readonly (number | null)[] | null): Promise<Record<string, QuestionFacts>> {
  const from = period.months[0];
  const to = period.months.at(-1);
  if (from === undefined || to === undefined) return {};
  return db.read(async (q) => {
    const inScope = scope === null ? sql`1 = 1` : sql`department_id in (${jsonIds(q, JSON.stringify(scope.map((id) => id ?? 0)))})`;
    const questions: Record<string, QuestionFacts> = {};
    for (const row of await rows<{ quiz: string; question: string; answers: number; correct: number }>(
      q,
      sql`
      select quiz_id quiz, question_id question, sum(answers) answers, sum(correct) correct,
        min(case when department_id = 0 then 9007199254740991 else department_id end) first
      from kpi_question_months where month between ${from} and ${to} and ${inScope}
      group by quiz_id, question_id order by first, quiz_id, question_id`,
    )) {
      questions[`${row.quiz}/${row.question}`] = { answers: row.answers, correct: row.correct, wrongOptions: {} };
    }
    for (const row of await rows<{ quiz: string; question: string; option: string; n: number }>(
      q,
      sql`
      select quiz_id quiz, question_id question, option_id option, sum(count) n
      from kpi_wrong_options where month between ${from} and ${to} and ${inScope}
      group by quiz_id, question_id, option_id`,
    )) {
      const stat = questions[`${row.quiz}/${row.question}`];
      if (stat) stat.wrongOptions[row.option] = row.n;
    }
    return questions;
  });
}
