/**
 * Fuzzing the learner's own writes: src/actions/lesson.ts, practice.ts, checkin.ts, profile.ts,
 * policy.ts and notifications-account.ts (see harness.ts for what is sent and what must hold).
 */
import fc from 'fast-check';
import { basicCourse, catalog } from './app.ts';
import { lockedLessons, openLessons, unknownContentId } from './common.ts';
import { schemaMix, validFields } from './generate.ts';
import { fuzzFile, type ActionSpec } from './harness.ts';
import { maxLength, numberLimits, schemaOf } from './schema.ts';
import { bad, replaced, textUpTo, type Body, type Field } from './values.ts';

const lessonPage = (body: Body): string => {
  const id = body.fields.find(([n]) => n === 'lessonId')?.[1];
  const lesson = typeof id === 'string' ? catalog.lesson(id) : undefined;
  return lesson ? `/learn/${lesson.courseId}/${lesson.id}` : `/learn/${basicCourse.id}/${basicCourse.lessons[0]!.id}`;
};

/** The handler's refusals of a lesson id the schema takes: one that names nothing, one that is locked. */
const lessonRefusals = (valid: fc.Arbitrary<Field[]>): fc.Arbitrary<Body>[] => [
  fc.tuple(valid, unknownContentId).map(([f, id]) => bad(replaced(f, 'lessonId', id), 'handler', `unknown lesson ${id}`)),
  fc.tuple(valid, fc.constantFrom(...lockedLessons)).map(([f, id]) => bad(replaced(f, 'lessonId', id), 'handler', `locked lesson ${id}`)),
];

/** The open lessons with practice tasks, and their task ids. */
const practiceLessons = openLessons.filter((id) => catalog.lesson(id)!.tryItIds.length > 0);
const practiceTasks = practiceLessons.flatMap((id) => catalog.lesson(id)!.tryItIds);

const actions: ActionSpec[] = [
  {
    name: 'lesson.complete',
    as: 'learner',
    page: lessonPage,
    bodies: () => {
      const valid = validFields('lesson.complete', { lessonId: fc.constantFrom(...openLessons) });
      const max = maxLength(schemaOf('lesson.complete').field('lessonId'));
      return schemaMix('lesson.complete', valid, lessonRefusals(valid), {
        // Well-formed but too long (the pattern alone would take it).
        alsoInvalid: { lessonId: fc.integer({ min: max + 1, max: 5000 }).map((n) => 'a'.repeat(n)) },
      });
    },
  },
  {
    name: 'lesson.feedback',
    as: 'learner',
    page: lessonPage,
    bodies: () => {
      // Feedback sent without the name is final for that lesson (later feedback on it is refused):
      // kept to one lesson, so the others stay open to named feedback all run long.
      const [anonymousLesson, ...named] = openLessons;
      const valid = fc.oneof(
        { weight: 9, arbitrary: validFields('lesson.feedback', { lessonId: fc.constantFrom(...named), anonymous: fc.constant(undefined) }) },
        { weight: 1, arbitrary: validFields('lesson.feedback', { lessonId: fc.constant(anonymousLesson!) }) },
      );
      // An empty rating reaches the schema as null, which it coerces to 0: below the minimum.
      return schemaMix('lesson.feedback', valid, lessonRefusals(valid), { alsoInvalid: { rating: fc.constant('') } });
    },
  },
  {
    name: 'practice.save',
    as: 'learner',
    page: lessonPage,
    bodies: () => {
      const valid = validFields('practice.save', { lessonId: fc.constantFrom(...practiceLessons), taskId: fc.constantFrom(...practiceTasks) });
      const max = maxLength(schemaOf('practice.save').field('taskId'));
      // A well-formed task id that is not one of the lesson's tasks.
      const unknownTask = fc.tuple(valid, unknownContentId).map(([f, id]) => bad(replaced(f, 'taskId', id), 'handler', `unknown task ${id}`));
      return schemaMix('practice.save', valid, [...lessonRefusals(valid), unknownTask], {
        alsoInvalid: { taskId: fc.integer({ min: max + 1, max: 5000 }).map((n) => 'a'.repeat(n)), answer: fc.constantFrom(' ', '\n\t', 'a\u200bb', 'x\u202ey') },
      });
    },
  },
  {
    name: 'policy.acknowledge',
    as: 'learner',
    // The fixture's policies (tests/fixtures/content/policies): the learner (営業部) may confirm
    // ai-usage v2 and reading-tips v1; champion-guide is for champions and HR only.
    page: () => '/policies/ai-usage',
    bodies: () => {
      const valid = fc.constantFrom<Field[]>(
        [
          ['policyId', 'ai-usage'],
          ['version', '2'],
        ],
        [
          ['policyId', 'reading-tips'],
          ['version', '1'],
        ],
      );
      return schemaMix('policy.acknowledge', valid, [
        fc.tuple(valid, unknownContentId).map(([f, id]) => bad(replaced(f, 'policyId', id), 'handler', `unknown policy ${id}`)),
        valid.map((f) => bad(replaced(f, 'version', f[0]![1] === 'ai-usage' ? '1' : '3'), 'handler', 'not the current version')),
        fc.constant(
          bad(
            [
              ['policyId', 'champion-guide'],
              ['version', '1'],
            ],
            'handler',
            'a policy for champions and HR only',
          ),
        ),
      ]);
    },
  },
  {
    name: 'checkin.save',
    as: 'learner',
    page: () => '/home',
    bodies: () => {
      const limits = numberLimits(schemaOf('checkin.save').field('hoursSaved'));
      // Half hours only: a refinement JSON Schema does not state.
      const notHalf = fc.integer({ min: limits.min, max: limits.max - 1 }).chain((n) => fc.constantFrom(`${n}.25`, `${n}.1`, `${n}.75`, `${n}.333`));
      return schemaMix('checkin.save', validFields('checkin.save', {}), [], { alsoInvalid: { hoursSaved: notHalf } });
    },
  },
  {
    name: 'checkin.dismiss',
    as: 'learner',
    page: () => '/home',
    bodies: () => schemaMix('checkin.dismiss', validFields('checkin.dismiss', {})),
  },
  {
    name: 'profile.setLocale',
    as: 'learner',
    page: () => '/language',
    bodies: () => {
      const max = maxLength(schemaOf('profile.setLocale').field('next'));
      const next = fc.option(fc.oneof(fc.constantFrom('/home', '/en/home', `/learn/${basicCourse.id}`, 'https://evil.example/', '//evil.example'), textUpTo(max)), {
        nil: undefined,
      });
      return schemaMix('profile.setLocale', validFields('profile.setLocale', { next }));
    },
  },
  {
    name: 'notificationAccount.save',
    as: 'learner',
    page: () => '/account',
    bodies: () => schemaMix('notificationAccount.save', validFields('notificationAccount.save', {})),
  },
  {
    name: 'notificationAccount.createFeed',
    as: 'learner',
    page: () => '/account',
    bodies: () => schemaMix('notificationAccount.createFeed', validFields('notificationAccount.createFeed', {})),
  },
  {
    name: 'notificationAccount.revokeFeed',
    as: 'learner',
    page: () => '/account',
    bodies: () => schemaMix('notificationAccount.revokeFeed', validFields('notificationAccount.revokeFeed', {})),
  },
];

fuzzFile(import.meta.url, { actions });
