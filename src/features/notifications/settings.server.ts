/** The notification settings and the departments' channels in the database. */
import { eq } from 'drizzle-orm';
import { departmentChannels, settings } from '../../../db/schema/index.ts';
import { now } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import type { NotificationSettings } from './settings.ts';
import { parseNotificationSettings } from './settings.ts';
import { first } from '../../platform/query.ts';

const KEY = 'notifications';

export async function readNotificationSettings(db: Db): Promise<NotificationSettings> {
  const row = await db.read(async (q) => first(await q.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY))));
  return parseNotificationSettings(row?.value ?? null);
}

/** Inside the caller's transaction (the admin action audits in the same one). */
export async function writeNotificationSettings(tx: Tx, value: NotificationSettings): Promise<void> {
  const at = now();
  await tx
    .insert(settings)
    .values({ key: KEY, value, updatedAt: at })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } });
}

export interface DepartmentChannel {
  departmentId: number;
  teamsUrl: string | null;
  slackUrl: string | null;
}

export async function readDepartmentChannels(db: Db): Promise<DepartmentChannel[]> {
  return db.read(
    async (q) =>
      await q.select({ departmentId: departmentChannels.departmentId, teamsUrl: departmentChannels.teamsUrl, slackUrl: departmentChannels.slackUrl }).from(departmentChannels),
  );
}

/** Inside the caller's transaction; both URLs null removes the row. */
export async function writeDepartmentChannel(tx: Tx, channel: DepartmentChannel): Promise<void> {
  if (channel.teamsUrl === null && channel.slackUrl === null) {
    await tx.delete(departmentChannels).where(eq(departmentChannels.departmentId, channel.departmentId));
    return;
  }
  const at = now();
  const set = { teamsUrl: channel.teamsUrl, slackUrl: channel.slackUrl, updatedAt: at };
  await tx
    .insert(departmentChannels)
    .values({ departmentId: channel.departmentId, ...set })
    .onConflictDoUpdate({ target: departmentChannels.departmentId, set });
}
