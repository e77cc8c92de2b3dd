/** The signed-in user's account page: the curriculum (for tier titles), their certificates and notification choices. */
import type { Certificate } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import { listCertificates } from '../progress/certificates.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { loadNotificationAccount, type NotificationAccount } from '../notifications/account.server.ts';
import type { Role } from './roles.ts';

export async function loadAccountPage(db: Db, user: { id: number; role: Role }): Promise<{ catalog: Catalog; certificates: Certificate[]; notifications: NotificationAccount }> {
  return { catalog: await getCatalog(), certificates: await listCertificates(db, user.id), notifications: await loadNotificationAccount(db, user) };
}
