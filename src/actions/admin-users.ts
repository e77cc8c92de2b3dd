/**
 * Admin actions on users: role and department, activation, creation, sign-in links, CSV import,
 * and erasing a person's personal data (src/features/users/erasure.server.ts).
 * Each parses its form and calls one function of src/features/users/user-changes.server.ts,
 * which writes the change and its audit row together.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { ROLES } from '../features/users/roles.ts';
import { isValidEmail, normalizeEmail } from '../platform/input/email.ts';
import { nameField } from '../platform/input/text.ts';
import { addUserWithLink, changeUserActive, changeUserRole, createUserLoginLink, importUsersUpload } from '../features/users/user-changes.server.ts';
import { USERS_CSV_MAX_BYTES } from '../features/users/users-csv.ts';
import { eraseUserPersonalData } from '../features/users/erasure.server.ts';
import { setUserManager } from '../features/users/managers.server.ts';
import { requireAdminCaller } from './guard.ts';

import { Id, OptionalId, readUpload } from './fields.ts';

/** The messages of a refused change, as the page reads them. */
function refused(error: string): ActionError {
  if (error === 'not_found') return new ActionError({ code: 'NOT_FOUND', message: 'No such user.' });
  if (error === 'email_taken') return new ActionError({ code: 'CONFLICT', message: 'email_taken' });
  // unknown_department, inactive_user, erased, the erasure's refusals and the admin rules (src/features/users/admin-rules.server.ts).
  return new ActionError({ code: 'BAD_REQUEST', message: error });
}

export const adminUsers = {
  updateUser: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id, role: z.enum(ROLES), departmentId: OptionalId }),
    handler: async ({ userId, role, departmentId }, context) => {
      const result = await changeUserRole(context.locals.db, requireAdminCaller(context), userId, { role, departmentId: departmentId ?? null });
      if (!result.ok) throw refused(result.error);
      return { userId };
    },
  }),

  setActive: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id, active: z.enum(['true', 'false']).transform((v) => v === 'true') }),
    handler: async ({ userId, active }, context) => {
      const result = await changeUserActive(context.locals.db, requireAdminCaller(context), userId, active);
      if (!result.ok) throw refused(result.error);
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
    handler: async (input, context) => {
      const result = await addUserWithLink(context.locals.db, requireAdminCaller(context), input);
      if (!result.ok) throw refused(result.error);
      return { userId: result.userId, email: result.email, link: result.link };
    },
  }),

  createLoginLink: defineAction({
    accept: 'form',
    input: z.strictObject({ userId: Id }),
    handler: async ({ userId }, context) => {
      const result = await createUserLoginLink(context.locals.db, requireAdminCaller(context), userId);
      if (!result.ok) throw refused(result.error);
      return { userId: result.userId, email: result.email, link: result.link };
    },
  }),

  eraseUser: defineAction({
    accept: 'form',
    // The typed email is the confirmation; the feature compares it with the user's own (an empty field is a mismatch too).
    input: z.strictObject({
      userId: Id,
      confirmEmail: z
        .string()
        .max(254)
        .nullish()
        .transform((typed) => typed ?? ''),
    }),
    handler: async ({ userId, confirmEmail }, context) => {
      const result = await eraseUserPersonalData(context.locals.db, requireAdminCaller(context), userId, confirmEmail);
      if (!result.ok) throw refused(result.error);
      return { userId };
    },
  }),

  // The manager by e-mail; an empty field clears it. Refusals name the address (or the cycle) after a colon, for the page's message.
  setManager: defineAction({
    accept: 'form',
    input: z.strictObject({
      userId: Id,
      managerEmail: z
        .string()
        .trim()
        .max(254)
        .nullish()
        .transform((v) => (v ? v : null))
        .refine((v) => v === null || isValidEmail(v), 'manager.badEmail'),
    }),
    handler: async ({ userId, managerEmail }, context) => {
      const result = await setUserManager(context.locals.db, requireAdminCaller(context), userId, managerEmail);
      if (!result.ok) throw result.error === 'not_found' ? refused(result.error) : new ActionError({ code: 'BAD_REQUEST', message: `${result.error}:${result.detail}` });
      return { userId, changed: result.changed };
    },
  }),

  importUsers: defineAction({
    accept: 'form',
    input: z.strictObject({ file: z.instanceof(File), update: z.literal('on').optional() }),
    handler: async ({ file, update }, context) => {
      const caller = requireAdminCaller(context);
      const bytes = await readUpload(file, USERS_CSV_MAX_BYTES);
      return importUsersUpload(context.locals.db, caller, bytes, { update: update === 'on', fileName: file.name });
    },
  }),
};
