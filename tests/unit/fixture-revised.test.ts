/**
 * The revised fixture (tests/helpers/fixture-revised.ts, built by global-build.ts) differs from the
 * fixture exactly where it says: the major lesson has a new version and a major revision, the minor
 * lesson a new version and no major revision, and every other lesson, quiz and question keeps its version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalog, type Catalog } from '../../src/features/curriculum/catalog.ts';
import { checkContent } from '../../src/features/curriculum/check.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { tempDir } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { MAJOR_REVISION, MINOR_REVISION, writeRevisedFixture } from '../helpers/fixture-revised.ts';

const dir = path.join(tempDir('manabi-fixture-revised-'), 'content');
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
writeRevisedFixture(dir);

const before = fixtureCatalog();
const after: Catalog = buildCatalog(readCorpus(dir, dir).corpus);

describe('the revised fixture', () => {
  it('is valid content', () => {
    expect(checkContent(dir, dir)).toEqual([]);
  });

  it('gives the major lesson a new version and its major revision, with notes in both languages', () => {
    const old = before.lesson(MAJOR_REVISION.lessonId)!;
    const revised = after.lesson(MAJOR_REVISION.lessonId)!;
    expect(revised.version).not.toBe(old.version);
    expect(old.majorRevision).toBeNull();
    const expected = { date: MAJOR_REVISION.date, significance: 'major', note: MAJOR_REVISION.note };
    expect(revised.majorRevision).toEqual(expected);
    expect(revised.revisions).toEqual([expected]);
  });

  it('gives the minor lesson a new version and no major revision', () => {
    const revised = after.lesson(MINOR_REVISION.lessonId)!;
    expect(revised.version).not.toBe(before.lesson(MINOR_REVISION.lessonId)!.version);
    expect(revised.majorRevision).toBeNull();
    expect(revised.revisions).toEqual([{ date: MINOR_REVISION.date, significance: 'minor', note: MINOR_REVISION.note }]);
  });

  it('keeps the version of every other lesson, every quiz and every question', () => {
    const revisedIds = [MAJOR_REVISION.lessonId, MINOR_REVISION.lessonId];
    const others = before.allLessons().filter((l) => !revisedIds.includes(l.id));
    expect(others.length).toBeGreaterThan(0);
    for (const lesson of others) expect(after.lesson(lesson.id)?.version, lesson.id).toBe(lesson.version);
    expect(after.allLessons().map((l) => l.id)).toEqual(before.allLessons().map((l) => l.id));
    const quizzes = before.tiers.flatMap((t) => t.courses.flatMap((c) => c.quizzes));
    for (const quiz of quizzes) {
      const revised = after.quiz(quiz.id)!;
      expect(revised.version, quiz.id).toBe(quiz.version);
      expect(revised.questions.map((q) => [q.id, q.version])).toEqual(quiz.questions.map((q) => [q.id, q.version]));
    }
  });
});
