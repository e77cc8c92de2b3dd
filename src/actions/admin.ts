/**
 * The admin actions, under one name (`/_actions/admin.<name>`), written per feature.
 * Every handler checks the admin role itself and writes the audit log.
 */
import { adminExports } from './admin-exports.ts';
import { adminProgramme } from './admin-programme.ts';
import { adminScim } from './admin-scim.ts';
import { adminUsers } from './admin-users.ts';
import { adminNotifications } from './notifications.ts';

export const admin = { ...adminUsers, ...adminProgramme, ...adminExports, ...adminNotifications, ...adminScim };
