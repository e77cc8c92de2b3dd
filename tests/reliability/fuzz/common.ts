/** Values the specs of several files share: content ids that exist or not, row ids that exist or not. */
import fc from 'fast-check';
import { appliedCourse, basicCourse, catalog, specialistCourse } from './app.ts';
import { numberText } from './values.ts';

/** A positive id far above any row a run creates (checked against the database when sent). */
export const NONEXISTENT_ID_MIN = 1_000_000;
export const nonexistentId = fc.integer({ min: NONEXISTENT_ID_MIN, max: 2 ** 31 });

/** One of the given ids, written in the ways `Number()` reads. */
export const idText = (ids: readonly number[]): fc.Arbitrary<string> => fc.constantFrom(...ids).chain(numberText);

/** The lessons the learner may work on (basic and applied), and the locked ones (specialist). */
export const openLessons = [...basicCourse.lessons, ...appliedCourse.lessons].map((l) => l.id);
export const lockedLessons = specialistCourse.lessons.map((l) => l.id);

/** Well-formed content ids that name nothing in the curriculum. */
export const unknownContentId = fc.stringMatching(/^zz[a-z0-9]{0,10}(?:-[a-z0-9]{1,8}){0,3}$/).filter((id) => !catalog.lesson(id) && !catalog.quiz(id) && id.length <= 100);
