/**
 * The fixture curriculum after two revisions, for tests of what a revision asks of learners: a copy
 * of tests/fixtures/content in which one basic lesson changed with a `major` revision and another
 * with a `minor` one; everything else is the same, byte for byte. The build helper
 * (global-build.ts) writes it from the fixture before building it, so the two never drift.
 *
 * A test serves it like the fixture: `startServer({ databasePath, outDir: FIXTURE_REVISED_OUT_DIR })`,
 * for instance on a database first used with FIXTURE_OUT_DIR (the learner completed the old versions).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURE_CONTENT, ROOT } from './fixture.ts';

/** Where the revised curriculum is written, relative to the project root. */
export const FIXTURE_REVISED_CONTENT = '.test-builds/fixture-revised-content';
/** Its build, relative to the project root. */
export const FIXTURE_REVISED_OUT_DIR = '.test-builds/fixture-revised';

export interface RevisedLesson {
  courseId: string;
  lessonId: string;
  significance: 'major' | 'minor';
  date: string;
  note: { ja: string; en: string };
  /** Text replaced in each language's body (the old text must be there). */
  edits: { ja: [string, string]; en: [string, string] };
}

/** Changed so that a learner who read the old version would miss a rule: everyone who completed it is asked to review. */
export const MAJOR_REVISION: RevisedLesson = {
  courseId: 'basic-ai-essentials',
  lessonId: 'safe-use-basics',
  significance: 'major',
  date: '2026-11-16',
  note: {
    ja: '入力してはいけない情報に、社外秘の会議の録音と議事録を加えました。',
    en: 'Added recordings and minutes of confidential meetings to the information you must never enter.',
  },
  edits: {
    ja: ['- 他社から預かった情報\n', '- 他社から預かった情報\n- 社外秘の会議の録音や議事録\n'],
    en: ['- Information entrusted to us by other companies\n', '- Information entrusted to us by other companies\n- Recordings and minutes of confidential meetings\n'],
  },
};

/** Reworded only: nothing changes for learners. */
export const MINOR_REVISION: RevisedLesson = {
  courseId: 'basic-ai-essentials',
  lessonId: 'what-is-generative-ai',
  significance: 'minor',
  date: '2026-11-20',
  note: { ja: '「得意なこと」の言い回しを整えました。', en: 'Reworded the list of what it does well.' },
  edits: {
    ja: ['- アイデアの洗い出し\n', '- アイデアの洗い出しと整理\n'],
    en: ['- Brainstorming ideas\n', '- Brainstorming and sorting ideas\n'],
  },
};

/** Every file of the revised curriculum (path relative to the content folder → text). */
export function revisedFixtureFiles(): Map<string, string> {
  const files = new Map(listFiles(FIXTURE_CONTENT).map((file) => [file, fs.readFileSync(path.join(FIXTURE_CONTENT, file), 'utf8')]));
  // The major revision as one entry, the minor one as a list: both forms of `revision:`.
  for (const [revision, asList] of [
    [MAJOR_REVISION, false],
    [MINOR_REVISION, true],
  ] as const) {
    for (const locale of ['ja', 'en'] as const) {
      const file = `lessons/${locale}/${revision.courseId}/${revision.lessonId}.mdx`;
      const text = files.get(file);
      const [from, to] = revision.edits[locale];
      if (text === undefined || !text.includes(from)) throw new Error(`${file}: the fixture no longer has ${JSON.stringify(from)}; update tests/helpers/fixture-revised.ts`);
      const entry = [`date: ${revision.date}`, `significance: ${revision.significance}`, `note: ${JSON.stringify(revision.note[locale])}`];
      const yaml = asList ? `revision:\n  - ${entry.join('\n    ')}\n` : `revision:\n  ${entry.join('\n  ')}\n`;
      files.set(file, text.replace(from, to).replace(/^(---\n[\s\S]*?\n)(---\n)/, `$1${yaml}$2`));
    }
  }
  return files;
}

/**
 * Writes the revised curriculum to `dir` (the project's FIXTURE_REVISED_CONTENT by default),
 * touching only files whose text differs and removing any others, so that an unchanged fixture
 * leaves the build fresh.
 */
export function writeRevisedFixture(dir: string = path.join(ROOT, FIXTURE_REVISED_CONTENT)): void {
  const files = revisedFixtureFiles();
  if (fs.existsSync(dir)) {
    for (const file of listFiles(dir)) if (!files.has(file)) fs.rmSync(path.join(dir, file));
  }
  for (const [file, text] of files) {
    const target = path.join(dir, file);
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written whole, then renamed: a parallel test run never reads half a file.
    const temporary = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, target);
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? listFiles(dir, path.posix.join(prefix, d.name)) : [path.posix.join(prefix, d.name)]));
}
