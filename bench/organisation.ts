/**
 * A generated organisation on a real database file: departments, users, enrolments, lesson
 * views and completions, quiz attempts with answers, check-ins, feedback, certificates,
 * help-desk inquiries — with the shape of a company some months into its rollout.
 */
import type { Catalog } from '../src/features/curriculum/catalog.ts';
import { addMonths, monthKey } from '../src/platform/dates.ts';
import { computeProgress, firstCycleRecord } from '../src/features/progress/progress.ts';
import { ensureDefaultAssignments, syncEnrolments } from '../src/features/programme/assignments.server.ts';
import { type Db, rawSqlite } from '../src/platform/db.server.ts';
import { hashPassword } from '../src/features/auth/password.server.ts';
import { rebuildRollups } from '../src/features/kpi/rollups.server.ts';
import { generateSecureRandomString } from '../src/features/auth/session.server.ts';

/**
 * Users are spread evenly over the departments (user u in department u mod departments + 1), so
 * 100,000 users in 40 departments give the champion view a department of 2,500. The first 10 are
 * admins, the next one per department champions (user10 champions department 11), the rest learners.
 */
export interface OrganisationSize {
  users: number;
  departments: number;
  attemptsPerUser: number;
}

/** Deterministic pseudo-random numbers, so every run generates the same organisation. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function generateOrganisation(
  db: Db,
  catalog: Catalog,
  size: OrganisationSize,
  password: string,
  timeZone: string,
): Promise<{ adminEmail: string; championEmail: string; learnerEmail: string }> {
  const rnd = random(42);
  const client = rawSqlite(db);
  const passwordHash = await hashPassword(password);
  const now = Date.now();
  const month = monthKey(new Date(now), timeZone);
  const months = Array.from({ length: 6 }, (_, i) => addMonths(month, i - 5));
  const lessons = catalog.allLessons();
  const quizzes = catalog.tiers.flatMap((t) => t.courses.flatMap((c) => c.quizzes));
  const day = 86_400_000;

  client.transaction(() => {
    const dept = client.prepare('insert into departments (name) values (?)');
    for (let d = 0; d < size.departments; d++) dept.run(`部門${String(d + 1).padStart(2, '0')}`);
    const user = client.prepare(
      'insert into users (public_id, email, display_name, locale, role, department_id, password_hash, active, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
    );
    for (let u = 0; u < size.users; u++) {
      const department = (u % size.departments) + 1;
      const role = u < 10 ? 'admin' : u < 10 + size.departments ? 'champion' : 'learner';
      user.run(generateSecureRandomString(), `user${u}@bench.example`, `社員 ${u}`, u % 5 === 0 ? 'en' : 'ja', role, department, passwordHash, now - 200 * day, now - 200 * day);
    }
  })();
  await db.write(async (tx) => {
    await ensureDefaultAssignments(tx);
    await syncEnrolments(tx, new Date(now - 180 * day));
  });

  const completion = client.prepare('insert into lesson_completions (user_id, lesson_id, completed_at) values (?, ?, ?)');
  const view = client.prepare('insert or ignore into lesson_views (user_id, lesson_id, day, viewed_at) values (?, ?, ?, ?)');
  const active = client.prepare('insert or ignore into activity_months (user_id, month, first_at) values (?, ?, ?)');
  const attempt = client.prepare('insert into quiz_attempts (id, user_id, quiz_id, started_at, submitted_at, score, max_score, passed) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const answer = client.prepare('insert into attempt_answers (attempt_id, question_id, chosen_option_ids, correct) values (?, ?, ?, ?)');
  const checkin = client.prepare('insert into checkins (user_id, month, hours_saved, tasks, dismissed, created_at, updated_at) values (?, ?, ?, ?, 0, ?, ?)');
  const feedback = client.prepare('insert or ignore into lesson_feedback (user_id, lesson_id, rating, comment, locale, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)');
  const certificate = client.prepare('insert into certificates (code, user_id, tier_id, holder_name, issued_at) values (?, ?, ?, ?, ?)');

  const batch = 1000;
  for (let start = 1; start <= size.users; start += batch) {
    client.transaction(() => {
      for (let id = start; id < Math.min(start + batch, size.users + 1); id++) {
        const engagement = rnd();
        const done = Math.floor(engagement * lessons.length * 1.1);
        const completed = new Set<string>();
        for (let i = 0; i < Math.min(done, lessons.length); i++) {
          const at = now - Math.floor(rnd() * 170 * day);
          completion.run(id, lessons[i]!.id, at);
          view.run(id, lessons[i]!.id, new Date(at).toISOString().slice(0, 10), at);
          active.run(id, monthKey(new Date(at), timeZone), at);
          completed.add(lessons[i]!.id);
        }
        const passed = new Map<string, { attempts: number; bestPercent: number; passed: boolean }>();
        const attempts = Math.round(size.attemptsPerUser * 2 * rnd());
        for (let a = 0; a < attempts; a++) {
          const quiz = quizzes[Math.floor(rnd() * quizzes.length)]!;
          const at = now - Math.floor(rnd() * 170 * day);
          const attemptId = generateSecureRandomString();
          let score = 0;
          const rows: [string, string, number][] = [];
          for (const q of quiz.questions) {
            const right = rnd() < 0.75;
            const chosen = right ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o)) ?? q.optionIds[0]!];
            if (right) score++;
            rows.push([q.id, JSON.stringify([...chosen].sort()), right ? 1 : 0]);
          }
          const ok = score * 100 >= quiz.passMark * quiz.questions.length;
          attempt.run(attemptId, id, quiz.id, at - 300_000, at, score, quiz.questions.length, ok ? 1 : 0);
          for (const [questionId, chosen, correct] of rows) answer.run(attemptId, questionId, chosen, correct);
          active.run(id, monthKey(new Date(at), timeZone), at);
          if (ok) passed.set(quiz.id, { attempts: 1, bestPercent: 100, passed: true });
        }
        for (const m of months) {
          if (rnd() < engagement) checkin.run(id, m, Math.round(rnd() * 16) / 2, null, now, now);
        }
        if (rnd() < 0.2) {
          for (let f = 0; f < 3; f++) {
            const lesson = lessons[Math.floor(rnd() * lessons.length)]!;
            feedback.run(id, lesson.id, 1 + Math.floor(rnd() * 5), rnd() < 0.3 ? '具体例がもっと欲しいです' : null, 'ja', now, now - Math.floor(rnd() * 150 * day));
          }
        }
        const progress = computeProgress(catalog, firstCycleRecord(completed, passed), { now: new Date(now), timeZone: 'Asia/Tokyo' });
        for (const tier of progress.tiers) {
          if (tier.complete) certificate.run(generateSecureRandomString(), id, tier.tier.id, `社員 ${id - 1}`, now - Math.floor(rnd() * 30 * day));
        }
      }
    })();
  }
  client.transaction(() => {
    const inquiry = client.prepare('insert into helpdesk_inquiries (month, department_id, count, updated_at) values (?, ?, ?, ?)');
    for (const m of [...Array.from({ length: 3 }, (_, i) => addMonths(months[0]!, i - 3)), ...months]) {
      for (let d = 1; d <= size.departments; d++) inquiry.run(m, d, Math.floor(rnd() * 30), now);
    }
    client
      .prepare(`insert into settings (key, value, updated_at) values ('baseline', ?, ?)`)
      .run(JSON.stringify({ from: addMonths(months[0]!, -3), to: addMonths(months[0]!, -1) }), now);
  })();
  // Generated straight into the base tables: derive the KPI roll-ups the write paths would have kept.
  await rebuildRollups(db, catalog, timeZone);
  client.exec('analyze');
  return { adminEmail: 'user0@bench.example', championEmail: `user10@bench.example`, learnerEmail: `user${size.users - 1}@bench.example` };
}
