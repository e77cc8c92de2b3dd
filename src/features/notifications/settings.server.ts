/** The notification settings and the departments' channels in the database. */
import { eq } from 'drizzle-orm';
import { departmentChannels, settings } from '../../../db/schema/index.ts';
import { now } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import type { NotificationSettings } from './settings.ts';
import { parseNotificationSettings } from './settings.ts';

const KEY = 'notifications';

export async function readNotificationSettings(db: Db): Promise<NotificationSettings> {
  const row = await db.read((q) => q.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).get());
  return parseNotificationSettings(row?.value ?? null);
}

/** Inside the caller's transaction (the admin action audits in the same one). */
export function writeNotificationSettings(tx: Tx, value: NotificationSettings): void {
  const at = now();
  tx.insert(settings)
    .values({ key: KEY, value, updatedAt: at })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } })
    .run();
}

export interface DepartmentChannel {
  departmentId: number;
  teamsUrl: string | null;
  slackUrl: string | null;
}

export async function readDepartmentChannels(db: Db): Promise<DepartmentChannel[]> {
  return db.read((q) =>
    q.select({ departmentId: departmentChannels.departmentId, teamsUrl: departmentChannels.teamsUrl, slackUrl: departmentChannels.slackUrl }).from(departmentChannels).all(),
  );
}

/** Inside the caller's transaction; both URLs null removes the row. */
export function writeDepartmentChannel(tx: Tx, channel: DepartmentChannel): void {
  if (channel.teamsUrl === null && channel.slackUrl === null) {
    tx.delete(departmentChannels).where(eq(departmentChannels.departmentId, channel.departmentId)).run();
    return;
  }
  const at = now();
  const set = { teamsUrl: channel.teamsUrl, slackUrl: channel.slackUrl, updatedAt: at };
  tx.insert(departmentChannels)
    .values({ departmentId: channel.departmentId, ...set })
    .onConflictDoUpdate({ target: departmentChannels.departmentId, set })
    .run();
}
