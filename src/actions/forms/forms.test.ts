/**
 * Each learner form definition is the action Astro registers under its name: the same input
 * schema object (Astro parses with it) and a handler that runs the definition.
 */
import { describe, expect, it, vi } from 'vitest';
import { server } from '../index.ts';
import { LEARNER_FORMS } from './index.ts';

vi.mock('astro:actions', () => ({
  defineAction: (definition: unknown) => definition,
  ActionError: class ActionError extends Error {},
}));
vi.mock('astro:content', () => ({ getCollection: async () => [], getEntry: async () => undefined, render: async () => null }));

describe('learner form definitions', () => {
  it('are the registered actions of their names, with the same input schema', () => {
    const registry = server as unknown as Record<string, Record<string, { accept: string; input?: unknown; handler: unknown }>>;
    expect([...LEARNER_FORMS.keys()].sort()).toEqual(['checkin.dismiss', 'checkin.save', 'lesson.complete', 'lesson.feedback', 'quiz.start', 'quiz.submit']);
    for (const [name, definition] of LEARNER_FORMS) {
      const [group, action] = name.split('.') as [string, string];
      const registered = registry[group]?.[action];
      expect(registered, name).toBeDefined();
      expect(registered!.accept, name).toBe('form');
      expect(registered!.input ?? null, name).toBe(definition.input);
    }
  });

  it('refuse a signed-out caller before any work, as the actions did', async () => {
    for (const [name, definition] of LEARNER_FORMS) {
      const input = (definition.input === null ? new FormData() : { lessonId: 'x', quizId: 'x', rating: 3, hoursSaved: 1 }) as never;
      await expect(definition.run(input, { user: null, db: null as never, locale: 'ja' }), name).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Sign-in required.' });
    }
  });
});
