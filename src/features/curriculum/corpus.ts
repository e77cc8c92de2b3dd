/**
 * The curriculum as plain data, and the checks that make broken content fail the build.
 * Every message starts with the file it is about, so an author knows where to look.
 */
import { LOCALES, type Locale } from '../../platform/i18n/locales.ts';
import { checkRevisions } from './revisions.ts';
import { TIER_IDS, type CourseData, type LessonData, type QuizData, type TierData } from './schemas.ts';

export interface CorpusEntry<T> {
  /** Stable id: the file name without extension (tiers, courses, lessons, quizzes). */
  id: string;
  /** Path relative to the project root, for messages. */
  file: string;
  data: T;
}

export interface LocalizedEntry<T> extends CorpusEntry<T> {
  locale: Locale;
  /** The content-collection entry id (`<locale>/<folder>/<id>`), used to render the body. */
  entryId: string;
}

/** One language of a lesson. */
export interface LessonEntry extends LocalizedEntry<LessonData> {
  /** The MDX source after the frontmatter (Astro's `entry.body`): part of the lesson's version. */
  body: string;
}

export interface RawCorpus {
  tiers: CorpusEntry<TierData>[];
  courses: CorpusEntry<CourseData>[];
  lessons: LessonEntry[];
  quizzes: LocalizedEntry<QuizData>[];
}

/** Returns every problem found; an empty list means the corpus is consistent. */
export function validateCorpus(corpus: RawCorpus): string[] {
  const problems: string[] = [];
  const report = (file: string, message: string): void => {
    problems.push(`${file}: ${message}`);
  };

  // Tiers
  const tierIds = new Set(corpus.tiers.map((t) => t.id));
  for (const tier of corpus.tiers) {
    if (!(TIER_IDS as readonly string[]).includes(tier.id)) {
      report(tier.file, `unknown tier "${tier.id}" (tiers are ${TIER_IDS.join(', ')})`);
    }
    for (const required of tier.data.requires) {
      if (required === tier.id) report(tier.file, 'a tier cannot require itself');
      else if (!tierIds.has(required)) report(tier.file, `requires unknown tier "${required}"`);
    }
  }
  for (const id of TIER_IDS) {
    if (!tierIds.has(id)) problems.push(`content/tiers/${id}.yaml: missing (every tier needs a file)`);
  }
  duplicateOrders(corpus.tiers, () => 'all', report);
  cycles(corpus.tiers, (t) => t.data.requires, 'tier', report);

  // Courses
  const courseIds = new Set(corpus.courses.map((c) => c.id));
  for (const course of corpus.courses) {
    if (!tierIds.has(course.data.tier)) report(course.file, `tier "${course.data.tier}" does not exist`);
    for (const prerequisite of course.data.prerequisites) {
      if (prerequisite === course.id) report(course.file, 'a course cannot be its own prerequisite');
      else if (!courseIds.has(prerequisite)) report(course.file, `prerequisite course "${prerequisite}" does not exist`);
    }
  }
  duplicateOrders(corpus.courses, (c) => c.data.tier, report);
  cycles(corpus.courses, (c) => c.data.prerequisites, 'course', report);

  // Lessons and quizzes: references, duplicates within a language, agreement across languages
  for (const kind of ['lessons', 'quizzes'] as const) {
    const entries: LocalizedEntry<LessonData | QuizData>[] = corpus[kind];
    const noun = kind === 'lessons' ? 'lesson' : 'quiz';
    const seen = new Map<string, LocalizedEntry<LessonData | QuizData>>();
    for (const entry of entries) {
      if (!courseIds.has(entry.data.course)) {
        report(entry.file, `course "${entry.data.course}" does not exist${suggest(courseIds)}`);
      }
      const key = `${entry.locale}/${entry.id}`;
      const first = seen.get(key);
      if (first) report(entry.file, `duplicate ${noun} id "${entry.id}" (also ${first.file})`);
      else seen.set(key, entry);
    }
  }
  for (const locale of LOCALES) {
    duplicateOrders(
      corpus.lessons.filter((l) => l.locale === locale),
      (l) => l.data.course,
      report,
    );
  }
  for (const [id, versions] of byId(corpus.lessons)) {
    const [first, ...rest] = versions;
    for (const other of rest) {
      for (const field of ['course', 'order', 'estimatedMinutes'] as const) {
        if (first!.data[field] !== other.data[field]) {
          report(
            other.file,
            `lesson "${id}" has ${field} ${JSON.stringify(other.data[field])} but ${first!.file} has ${JSON.stringify(first!.data[field])}; the languages must agree`,
          );
        }
      }
    }
  }

  const lessonsOf = new Map<string, Set<string>>();
  for (const lesson of corpus.lessons) {
    const set = lessonsOf.get(lesson.data.course) ?? new Set<string>();
    set.add(lesson.id);
    lessonsOf.set(lesson.data.course, set);
  }
  for (const quiz of corpus.quizzes) {
    checkQuiz(quiz, report);
    checkBank(quiz, lessonsOf.get(quiz.data.course) ?? new Set(), report);
  }
  for (const [id, versions] of byId(corpus.quizzes)) {
    const [first, ...rest] = versions;
    for (const other of rest) compareQuizzes(id, first!, other, report);
  }
  checkRevisions(corpus.lessons, 'lesson', report);
  checkRevisions(corpus.quizzes, 'quiz', report);

  // Every course needs something to learn and something to pass
  for (const course of corpus.courses) {
    if (!corpus.lessons.some((l) => l.data.course === course.id)) report(course.file, 'the course has no lessons');
    if (!corpus.quizzes.some((q) => q.data.course === course.id)) report(course.file, 'the course has no quiz');
  }
  return problems;
}

function checkQuiz(quiz: LocalizedEntry<QuizData>, report: (file: string, message: string) => void): void {
  const questionIds = new Set<string>();
  for (const question of quiz.data.questions) {
    if (questionIds.has(question.id)) report(quiz.file, `duplicate question id "${question.id}"`);
    questionIds.add(question.id);
    const optionIds = new Set<string>();
    for (const option of question.options) {
      if (optionIds.has(option.id)) report(quiz.file, `question "${question.id}" has duplicate option id "${option.id}"`);
      optionIds.add(option.id);
    }
    const correct = question.options.filter((o) => o.correct).length;
    if (correct === 0) report(quiz.file, `question "${question.id}" has no correct option`);
    else if (question.type === 'single' && correct > 1) {
      report(quiz.file, `question "${question.id}" is single-choice but has ${correct} correct options`);
    }
  }
}

/**
 * A question's lesson tag names a lesson of the quiz's own course. A bank (a quiz with `draw`)
 * tags every question and holds at least twice the questions it draws, with at least two per
 * lesson of its course, so that a draw can take one question per lesson and two attempts differ;
 * it draws at least one question per lesson.
 */
function checkBank(quiz: LocalizedEntry<QuizData>, lessons: Set<string>, report: (file: string, message: string) => void): void {
  const { draw, questions, course } = quiz.data;
  for (const question of questions) {
    if (question.lesson !== undefined && !lessons.has(question.lesson)) {
      report(quiz.file, `question "${question.id}" is tagged with lesson "${question.lesson}", which is not a lesson of course "${course}"${listOf(lessons)}`);
    }
  }
  if (draw === undefined) return;
  if (draw > questions.length) report(quiz.file, `draw ${draw} is larger than the bank of ${questions.length} questions`);
  else if (questions.length < 2 * draw) report(quiz.file, `the bank of ${questions.length} questions is smaller than 2 × draw (${2 * draw}); add questions or lower draw`);
  if (draw < lessons.size) report(quiz.file, `draw ${draw} is smaller than the ${lessons.size} lessons of course "${course}"; a draw takes at least one question per lesson`);
  const untagged = questions.filter((q) => q.lesson === undefined).map((q) => q.id);
  if (untagged.length > 0) report(quiz.file, `a quiz with draw needs a lesson tag on every question; missing on ${untagged.join(', ')}`);
  for (const lesson of [...lessons].sort()) {
    const count = questions.filter((q) => q.lesson === lesson).length;
    if (count < 2) report(quiz.file, `lesson "${lesson}" has ${count} question(s) in the bank; a bank needs at least 2 per lesson`);
  }
}

function listOf(ids: Set<string>): string {
  return ids.size > 0 ? ` (its lessons: ${[...ids].sort().join(', ')})` : '';
}

/** The languages of one quiz must agree on everything that grading depends on. */
function compareQuizzes(id: string, a: LocalizedEntry<QuizData>, b: LocalizedEntry<QuizData>, report: (file: string, message: string) => void): void {
  const differ = (what: string): void => report(b.file, `quiz "${id}" differs from ${a.file}: ${what}; the languages must agree`);
  for (const field of ['course', 'passMark', 'maxAttempts', 'draw', 'shuffleQuestions', 'shuffleOptions'] as const) {
    if (a.data[field] !== b.data[field]) differ(`${field} ${JSON.stringify(b.data[field])} vs ${JSON.stringify(a.data[field])}`);
  }
  const aIds = a.data.questions.map((q) => q.id);
  const bIds = b.data.questions.map((q) => q.id);
  if (aIds.join() !== bIds.join()) {
    differ(`question ids [${bIds.join(', ')}] vs [${aIds.join(', ')}]`);
    return;
  }
  a.data.questions.forEach((qa, i) => {
    const qb = b.data.questions[i]!;
    if (qa.type !== qb.type) differ(`question "${qa.id}" type ${qb.type} vs ${qa.type}`);
    if (qa.lesson !== qb.lesson) differ(`question "${qa.id}" lesson ${JSON.stringify(qb.lesson)} vs ${JSON.stringify(qa.lesson)}`);
    const aOptions = qa.options.map((o) => o.id).join();
    const bOptions = qb.options.map((o) => o.id).join();
    if (aOptions !== bOptions) differ(`question "${qa.id}" option ids [${bOptions}] vs [${aOptions}]`);
    const aCorrect = qa.options
      .filter((o) => o.correct)
      .map((o) => o.id)
      .join();
    const bCorrect = qb.options
      .filter((o) => o.correct)
      .map((o) => o.id)
      .join();
    if (aOptions === bOptions && aCorrect !== bCorrect) differ(`question "${qa.id}" correct options [${bCorrect}] vs [${aCorrect}]`);
  });
}

/** Groups the languages of each id, Japanese (the reference language) first. */
function byId<T>(entries: LocalizedEntry<T>[]): Map<string, LocalizedEntry<T>[]> {
  const map = new Map<string, LocalizedEntry<T>[]>();
  const sorted = [...entries].sort((a, b) => LOCALES.indexOf(a.locale) - LOCALES.indexOf(b.locale));
  for (const entry of sorted) {
    const list = map.get(entry.id) ?? [];
    list.push(entry);
    map.set(entry.id, list);
  }
  return map;
}

function duplicateOrders<T extends { order: number }>(entries: CorpusEntry<T>[], group: (entry: CorpusEntry<T>) => string, report: (file: string, message: string) => void): void {
  const seen = new Map<string, CorpusEntry<T>>();
  for (const entry of entries) {
    const key = `${group(entry)}#${entry.data.order}`;
    const first = seen.get(key);
    if (first) report(entry.file, `order ${entry.data.order} is also used by ${first.file}; give each a distinct order`);
    else seen.set(key, entry);
  }
}

function cycles<T>(entries: CorpusEntry<T>[], edges: (entry: CorpusEntry<T>) => string[], noun: string, report: (file: string, message: string) => void): void {
  const byKey = new Map(entries.map((e) => [e.id, e]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (entry: CorpusEntry<T>, path: string[]): void => {
    const current = state.get(entry.id);
    if (current === 'done') return;
    if (current === 'visiting') {
      const cycle = [...path.slice(path.indexOf(entry.id)), entry.id];
      report(entry.file, `${noun} prerequisites form a cycle: ${cycle.join(' → ')}`);
      return;
    }
    state.set(entry.id, 'visiting');
    for (const next of edges(entry)) {
      const target = byKey.get(next);
      if (target) visit(target, [...path, entry.id]);
    }
    state.set(entry.id, 'done');
  };
  for (const entry of entries) visit(entry, []);
}

function suggest(known: Set<string>): string {
  const list = [...known].sort();
  return list.length > 0 ? ` (known courses: ${list.join(', ')})` : '';
}
