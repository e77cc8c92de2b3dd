/** The signed-in user's account page: the curriculum (for tier titles) and their certificates. */
import type { Certificate } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import { listCertificates } from '../progress/certificates.server.ts';
import type { Db } from '../../platform/db.server.ts';

export async function loadAccountPage(db: Db, userId: number): Promise<{ catalog: Catalog; certificates: Certificate[] }> {
  return { catalog: await getCatalog(), certificates: await listCertificates(db, userId) };
}
