import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../../../db/schema/index.ts';
import { provisionSsoUser } from './sso-user.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { first } from '../../platform/query.ts';

const ISSUER = 'https://login.example.co.jp';
let t: TempDb;
beforeEach(async () => {
  t = tempDb();
});
afterEach(() => t.cleanup());

const identity = (over: Partial<Parameters<typeof provisionSsoUser>[2]> = {}) => ({
  subject: 'sub-1',
  email: 'yamada@example.co.jp',
  displayName: '山田 太郎',
  department: '営業部' as string | null | undefined,
  role: 'learner' as const as 'learner' | 'champion' | 'admin' | undefined,
  ...over,
});

describe('provisionSsoUser', () => {
  it('links an account an admin created with the same email instead of making a second one', async () => {
    const id = await addUser(t.db, { email: 'Yamada@example.co.jp', password: 'a long enough password', role: 'champion', name: '山田 太郎' });
    const result = await provisionSsoUser(t.db, ISSUER, identity({ role: 'champion' }));
    expect(result.status).toBe('updated');
    expect(result.status === 'updated' && result.changes).toEqual({ identity: { from: null, to: `${ISSUER} sub-1` } });
    expect(result.status !== 'conflict' && result.user.id).toBe(id);
    expect(await rawDrizzle(t.db).select().from(users)).toHaveLength(1);
    expect(first(await rawDrizzle(t.db).select().from(users).where(eq(users.id, id)))!.oidcSubject).toBe('sub-1');
  });

  it('finds the user by issuer and subject even after the email changed at the provider', async () => {
    await provisionSsoUser(t.db, ISSUER, identity());
    const result = await provisionSsoUser(t.db, ISSUER, identity({ email: 'yamada.t@example.co.jp' }));
    expect(result.status).toBe('updated');
    expect(result.status === 'updated' && result.changes.email).toEqual({ from: 'yamada@example.co.jp', to: 'yamada.t@example.co.jp' });
    expect(await rawDrizzle(t.db).select().from(users)).toHaveLength(1);
  });

  it('refuses to take over an email already linked to another identity', async () => {
    await provisionSsoUser(t.db, ISSUER, identity());
    expect((await provisionSsoUser(t.db, ISSUER, identity({ subject: 'sub-2' }))).status).toBe('conflict');
    expect(await rawDrizzle(t.db).select().from(users)).toHaveLength(1);
  });

  it('keeps role and department when the provider does not send them', async () => {
    await provisionSsoUser(t.db, ISSUER, identity({ role: 'admin' }));
    const result = await provisionSsoUser(t.db, ISSUER, identity({ role: undefined, department: undefined }));
    expect(result.status).toBe('unchanged');
    expect(first(await rawDrizzle(t.db).select().from(users))!.role).toBe('admin');
  });

  it('reports a deactivated user and changes nothing', async () => {
    await provisionSsoUser(t.db, ISSUER, identity());
    await rawDrizzle(t.db).update(users).set({ active: false });
    expect((await provisionSsoUser(t.db, ISSUER, identity({ role: 'admin' }))).status).toBe('deactivated');
    expect(first(await rawDrizzle(t.db).select().from(users))!.role).toBe('learner');
  });

  it('does not demote the only active admin, and reports the role it kept', async () => {
    await provisionSsoUser(t.db, ISSUER, identity({ role: 'admin' }));
    const kept = await provisionSsoUser(t.db, ISSUER, identity({ role: 'learner', displayName: '山田 花子' }));
    expect(kept).toMatchObject({
      status: 'updated',
      changes: { displayName: { from: '山田 太郎', to: '山田 花子' } },
      roleKept: { from: 'admin', to: 'learner', reason: 'last_admin' },
    });
    expect(kept.status === 'updated' && kept.changes.role).toBeUndefined();
    expect(first(await rawDrizzle(t.db).select().from(users))!.role).toBe('admin');
    await addUser(t.db, { email: 'other-admin@example.co.jp', role: 'admin' });
    expect(await provisionSsoUser(t.db, ISSUER, identity({ role: 'learner', displayName: '山田 花子' }))).toMatchObject({
      status: 'updated',
      changes: { role: { from: 'admin', to: 'learner' } },
      roleKept: null,
    });
  });
});
