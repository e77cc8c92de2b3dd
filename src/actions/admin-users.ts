/**
 * Admin actions on users: role and department, activation, creation, sign-in links, CSV import.
 * Every handler checks the admin role itself and writes the audit log.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { departments, ROLES } from '../../db/schema.ts';
import { isValidEmail, normalizeEmail } from '../platform/input/email.ts';
import { nameField } from '../platform/input/text.ts';
import { syncEnrolments } from '../features/programme/assignments.server.ts';
import { audit } from '../features/audit/audit.server.ts';
import { getDb } from '../platform/db.server.ts';
import { runImport } from '../features/users/import-runner.server.ts';
import { createLoginToken, loginLinkUrl } from '../features/auth/login-links.server.ts';
import { clientIp } from '../platform/http/request.server.ts';
import { createUser, ensureDepartment, findUserIdByEmail } from '../features/users/users.server.ts';
import { getUser, setActive, updateUser } from '../features/users/users-admin.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { USERS_CSV_MAX_BYTES } from '../features/users/users-csv.ts';
import { requireAdmin, requireAdminRules } from './guard.ts';

import { Id, OptionalId, readUpload } from './fields.ts';
import { requireExisting } from '../features/programme/references.server.ts';

export const adminUsers = {
  updateUser: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id, role: z.enum(ROLES), departmentId: OptionalId }),
    handler: ({ userId, role, departmentId: rawDepartment }, context) => {
      const departmentId = rawDepartment ?? null;
      const actor = requireAdmin(context);
      const db = getDb();
      const change = db.transaction(
        (tx) => {
          if (departmentId !== null) requireExisting(tx, departments, [departmentId], 'unknown_department');
          const user = getUser(tx, userId);
          if (user) requireAdminRules(tx, actor.id, user, { role });
          return updateUser(tx, userId, { role, departmentId });
        },
        { behavior: 'immediate' },
      );
      if (!change) throw new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
      audit(db, { actor, action: 'user.updated', target: { type: 'user', id: userId }, details: { ...change }, ip: clientIp(context) });
      return { userId };
    },
  }),

  setActive: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id, active: z.enum(['true', 'false']).transform((v) => v === 'true') }),
    handler: ({ userId, active }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      const changed = db.transaction(
        (tx) => {
          const user = getUser(tx, userId);
          if (!user) return null;
          requireAdminRules(tx, actor.id, user, { active });
          return setActive(tx, userId, active);
        },
        { behavior: 'immediate' },
      );
      if (changed === null) throw new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
      if (changed) {
        audit(db, { actor, action: active ? 'user.reactivated' : 'user.deactivated', target: { type: 'user', id: userId }, ip: clientIp(context) });
      }
      return { userId, active };
    },
  }),

  createUser: defineAction({
    accept: 'form',
    input: z.strictObject({
      email: z.string().trim().max(254).refine(isValidEmail, 'bad_email').transform(normalizeEmail),
      name: nameField('name', 100),
      department: nameField('department', 100),
      role: z.enum(ROLES),
    }),
    handler: ({ email, name, department, role }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      if (findUserIdByEmail(db, email) !== null) throw new ActionError({ code: 'CONFLICT', message: 'email_taken' });
      const userId = db.transaction(
        (tx) => {
          const id = createUser(tx, { email, displayName: name, role, departmentId: ensureDepartment(tx, department) });
          syncEnrolments(tx);
          return id;
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor, action: 'user.created', target: { type: 'user', id: userId }, details: { email, role, department }, ip: clientIp(context) });
      const token = createLoginToken(db, userId, actor.id);
      audit(db, { actor, action: 'user.login_link_created', target: { type: 'user', id: userId }, ip: clientIp(context) });
      return { userId, email, link: loginLinkUrl(token, getConfig().siteUrl) };
    },
  }),

  createLoginLink: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id }),
    handler: ({ userId }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      const user = getUser(db, userId);
      if (!user) throw new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
      if (!user.active) throw new ActionError({ code: 'BAD_REQUEST', message: 'inactive_user' });
      const token = createLoginToken(db, userId, actor.id, user.passwordHash ? 'reset' : 'first_login');
      audit(db, { actor, action: 'user.login_link_created', target: { type: 'user', id: userId }, ip: clientIp(context) });
      return { userId, email: user.email, link: loginLinkUrl(token, getConfig().siteUrl) };
    },
  }),

  importUsers: defineAction({
    accept: 'form',
    input: z.strictObject({ file: z.instanceof(File), update: z.literal('on').optional() }),
    handler: async ({ file, update }, context) => {
      const actor = requireAdmin(context);
      const bytes = await readUpload(file, USERS_CSV_MAX_BYTES);
      // Decoded, validated and written in a worker thread, audited there in the same transaction.
      return runImport({
        kind: 'users',
        databaseFile: getDb().$client.name,
        bytes,
        options: { update: update === 'on', actor: { id: actor.id, email: actor.email }, ip: clientIp(context), fileName: file.name },
      });
    },
  }),
};
