/**
 * Which fuzz file covers which part of the surface: each action group (one file in
 * src/actions) belongs to exactly one file, and the endpoints (the `.ts` files under
 * src/pages) to one. surface.fuzz.test.ts checks that this covers everything exactly once;
 * each file checks that its specs are exactly its share.
 */
export const FUZZ_FILES: Record<string, { actionGroups: readonly string[]; endpoints: boolean }> = {
  'auth.fuzz.test.ts': { actionGroups: ['auth'], endpoints: false },
  'learner.fuzz.test.ts': { actionGroups: ['lesson', 'practice', 'checkin', 'profile', 'policy', 'notificationAccount'], endpoints: false },
  'quiz.fuzz.test.ts': { actionGroups: ['quiz'], endpoints: false },
  'admin.fuzz.test.ts': { actionGroups: ['admin'], endpoints: false },
  'endpoints.fuzz.test.ts': { actionGroups: [], endpoints: true },
};
