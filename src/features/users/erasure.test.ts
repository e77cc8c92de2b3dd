/**
 * Erasing a person's personal data: the pseudonym and placeholder, the redaction rules, and the
 * feature on a real SQLite file with the real migrations — refusals change nothing, the audit
 * log's guard comes back exactly as it was, an erased user is never reactivated and a later
 * single sign-on makes a new person. (The whole path over HTTP: tests/integration/erasure.test.ts.)
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, certificates, users } from '../../../db/schema/index.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { audit } from '../audit/audit.server.ts';
import { provisionSsoUser } from '../auth/sso-user.server.ts';
import { rawDrizzle, rawSqlite } from '../../platform/db.server.ts';
import { isValidEmail } from '../../platform/input/email.ts';
import { ERASED_TEXT, erasedDisplayName, erasedEmail, erasureTag, redactJson, redactText, valuesUnder, type Redaction } from './erasure.ts';
import { eraseUserPersonalData } from './erasure.server.ts';
import { changeUserActive, changeUserRole } from './user-changes.server.ts';
import { setActive } from './users-admin.server.ts';
import { first } from '../../platform/query.ts';

const ISSUER = 'https://idp.example.com';

describe('the pseudonym and the placeholder', () => {
  it('derive from the public id, stay stable, and the address is refused everywhere an address enters', () => {
    const publicId = 'k7f3abcdefghijkmnpqrstuv';
    expect(erasureTag(publicId)).toBe('K7F3');
    expect(erasedDisplayName(publicId)).toBe('削除済みユーザー K7F3');
    expect(erasedEmail(publicId)).toBe(`erased-${publicId}@invalid`);
    expect(erasedEmail(publicId)).toBe(erasedEmail(publicId));
    expect(isValidEmail(erasedEmail(publicId))).toBe(false);
  });
});

describe('redaction', () => {
  const redaction: Redaction = {
    emails: ['hanako.sato@example.com', 'h.sato@old.example.com'],
    names: ['佐藤 花子', '李'],
    identifiers: ['subject-123456'],
    email: 'erased-x@invalid',
    name: '削除済みユーザー X',
  };

  it('replaces addresses in any case, names as written, identifiers, inside other text too', () => {
    expect(redactText('HANAKO.SATO@example.com', redaction)).toBe('erased-x@invalid');
    expect(redactText('sent to h.sato@old.example.com by mistake', redaction)).toBe('sent to erased-x@invalid by mistake');
    expect(redactText('佐藤 花子', redaction)).toBe('削除済みユーザー X');
    expect(redactText('list of 佐藤 花子.csv', redaction)).toBe('list of 削除済みユーザー X.csv');
    expect(redactText('https://idp.example.com subject-123456', redaction)).toBe(`https://idp.example.com ${ERASED_TEXT}`);
    expect(redactText('sub:subject-123456', redaction)).toBe(`sub:${ERASED_TEXT}`);
  });

  it('replaces a very short name only where it is the whole value', () => {
    expect(redactText('李', redaction)).toBe('削除済みユーザー X');
    expect(redactText('李さんの部署', redaction)).toBe('李さんの部署');
  });

  it('walks JSON values, keeping keys, numbers and other text', () => {
    const details = {
      via: 'import',
      line: 3,
      before: { name: '佐藤 花子', role: 'learner' },
      changes: { email: { from: 'hanako.sato@example.com', to: 'x@y.jp' } },
      list: ['李', 'ok'],
    };
    expect(redactJson(details, redaction)).toEqual({
      via: 'import',
      line: 3,
      before: { name: '削除済みユーザー X', role: 'learner' },
      changes: { email: { from: 'erased-x@invalid', to: 'x@y.jp' } },
      list: ['削除済みユーザー X', 'ok'],
    });
  });

  it('finds the names and addresses recorded about a person, including the from/to of a change', () => {
    const keys = new Set(['email', 'name', 'displayName']);
    const details = {
      email: 'a@x.jp',
      before: { name: 'Old Name', role: 'learner' },
      changes: { displayName: { from: 'Older', to: 'Newer' }, role: { from: 'learner', to: 'admin' } },
    };
    expect(valuesUnder(details, keys).sort()).toEqual(['Newer', 'Old Name', 'Older', 'a@x.jp']);
  });
});

describe('eraseUserPersonalData on a real database', () => {
  let t: TempDb;
  const ids: Record<string, number> = {};
  const caller = (id: number, email: string) => ({ actor: { id, email }, ip: '127.0.0.1' });
  const userRow = async (id: number) => first(await rawDrizzle(t.db).select().from(users).where(eq(users.id, id)))!;
  const guard = () => rawSqlite(t.db).prepare("select sql from sqlite_master where type = 'trigger' and name = 'audit_log_no_update'").pluck().get();
  const everything = () =>
    JSON.stringify(
      rawSqlite(t.db)
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
        .pluck()
        .all()
        .map((table) =>
          rawSqlite(t.db)
            .prepare(`select * from "${table as string}"`)
            .all(),
        ),
    );

  beforeAll(async () => {
    t = tempDb();
    ids.ada = await addUser(t.db, { email: 'ada@example.com', role: 'admin', department: 'IT' });
    ids.bea = await addUser(t.db, { email: 'bea@example.com', role: 'admin', department: 'IT' });
    ids.hanako = await addUser(t.db, { email: 'hanako@example.com', name: '佐藤 花子', department: 'Sales', password: 'hanako password 1' });
    await rawDrizzle(t.db).update(users).set({ oidcIssuer: ISSUER, oidcSubject: 'hanako-subject-1' }).where(eq(users.id, ids.hanako));
    await rawDrizzle(t.db).insert(certificates).values({ code: 'CERT-HANAKO', userId: ids.hanako, tierId: 'basic', holderName: '佐藤 花子（旧姓 田中）', issuedAt: new Date() });
    await t.db.write(async (tx) => {
      await audit(tx, {
        actor: { id: ids.ada!, email: 'ada@example.com' },
        action: 'user.created',
        target: { type: 'user', id: ids.hanako! },
        details: { email: 'hanako@example.com', role: 'learner' },
      });
      await audit(tx, { actor: { id: ids.hanako!, email: 'hanako@example.com' }, action: 'auth.sign_in', details: { method: 'password' } });
      await audit(tx, { actor: null, actorLabel: 'HANAKO@example.com', action: 'auth.sign_in_failed', details: { reason: 'wrong_password' } });
      await audit(tx, { actor: null, actorLabel: 'sub:hanako-subject-1', action: 'auth.sign_in_failed', details: { method: 'oidc', reason: 'mfa_required' } });
      await audit(tx, {
        actor: { id: ids.ada!, email: 'ada@example.com' },
        action: 'user.updated',
        target: { type: 'user', id: ids.hanako! },
        details: { via: 'oidc', changes: { displayName: { from: '田中 花子', to: '佐藤 花子' } } },
      });
    });
  });
  afterAll(() => t?.cleanup());

  it('refuses the last active admin, oneself and a wrong confirmation, changing nothing', async () => {
    const before = everything();
    // Ada, deactivated meanwhile, tries to erase Bea, then the only active admin.
    await t.db.write(async (tx) => await setActive(tx, ids.ada!, false));
    const lockedOut = everything();
    expect(await eraseUserPersonalData(t.db, caller(ids.ada!, 'ada@example.com'), ids.bea!, 'bea@example.com')).toEqual({ ok: false, error: 'last_admin' });
    expect(everything()).toBe(lockedOut);
    await t.db.write(async (tx) => await setActive(tx, ids.ada!, true));
    expect(everything()).not.toBe(before); // updated_at moved
    const now = everything();
    expect(await eraseUserPersonalData(t.db, caller(ids.ada!, 'ada@example.com'), ids.ada!, 'ada@example.com')).toEqual({ ok: false, error: 'cannot_erase_self' });
    expect(await eraseUserPersonalData(t.db, caller(ids.ada!, 'ada@example.com'), ids.hanako!, 'hanako@example.co')).toEqual({ ok: false, error: 'confirmation_mismatch' });
    expect(await eraseUserPersonalData(t.db, caller(ids.ada!, 'ada@example.com'), ids.hanako!, '')).toEqual({ ok: false, error: 'confirmation_mismatch' });
    expect(await eraseUserPersonalData(t.db, caller(ids.ada!, 'ada@example.com'), 999_999, 'x@example.com')).toEqual({ ok: false, error: 'not_found' });
    expect(everything()).toBe(now);
  });

  it('erases, redacts the audit log under its restored guard, and appends one row naming the public id only', async () => {
    const trigger = guard();
    const publicId = (await userRow(ids.hanako!)).publicId;
    const result = await eraseUserPersonalData(t.db, caller(ids.ada!, 'ada@example.com'), ids.hanako!, ' Hanako@Example.com ');
    expect(result).toEqual({ ok: true, publicId });
    const erased = await userRow(ids.hanako!);
    expect(erased).toMatchObject({
      active: false,
      displayName: erasedDisplayName(publicId),
      email: erasedEmail(publicId),
      passwordHash: null,
      oidcIssuer: null,
      oidcSubject: null,
    });
    expect(erased.erasedAt).toBeInstanceOf(Date);
    expect(first(await rawDrizzle(t.db).select().from(certificates).where(eq(certificates.userId, ids.hanako!)))!.holderName).toBe(erasedDisplayName(publicId));

    expect(guard()).toBe(trigger);
    expect(() => rawSqlite(t.db).prepare("update audit_log set actor_label = 'x'").run()).toThrow(/append-only/);
    const all = everything();
    for (const old of ['hanako@example.com', 'HANAKO@example.com', '佐藤 花子', '田中 花子', '田中', 'hanako-subject-1']) expect(all, old).not.toContain(old);
    const last = (await rawDrizzle(t.db).select().from(auditLog)).at(-1)!;
    expect(last).toMatchObject({ action: 'user.erase', actorUserId: ids.ada, actorLabel: 'ada@example.com', targetType: 'user', targetId: String(ids.hanako) });
    expect(last.details).toEqual({ publicId, auditRowsRedacted: 5 });
    // Who did what to which id, and when, is still there.
    const signIn = first(await rawDrizzle(t.db).select().from(auditLog).where(eq(auditLog.action, 'auth.sign_in')))!;
    expect(signIn).toMatchObject({ actorUserId: ids.hanako, actorLabel: erasedEmail(publicId), details: { method: 'password' } });
  });

  it('never reactivates or changes an erased user, refuses a second erasure, and a later SSO sign-in is a new person', async () => {
    const publicId = (await userRow(ids.hanako!)).publicId;
    const admin = caller(ids.ada!, 'ada@example.com');
    expect(await changeUserActive(t.db, admin, ids.hanako!, true)).toEqual({ ok: false, error: 'erased' });
    expect(await changeUserRole(t.db, admin, ids.hanako!, { role: 'admin', departmentId: null })).toEqual({ ok: false, error: 'erased' });
    expect(await eraseUserPersonalData(t.db, admin, ids.hanako!, erasedEmail(publicId))).toEqual({ ok: false, error: 'already_erased' });
    expect(await userRow(ids.hanako!)).toMatchObject({ active: false, role: 'learner' });

    const again = await provisionSsoUser(t.db, ISSUER, {
      subject: 'hanako-subject-1',
      email: 'hanako@example.com',
      displayName: '佐藤 花子',
      department: undefined,
      role: undefined,
    });
    expect(again.status).toBe('created');
    if (again.status === 'created') expect(again.user.id).not.toBe(ids.hanako);
  });
});
