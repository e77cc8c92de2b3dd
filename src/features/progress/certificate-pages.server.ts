/** What the certificate pages show: the holder's printable certificate and the public check. */
import { tierTitle } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { verifyUrl } from '../../platform/i18n/paths.ts';
import { findCertificate, type Certificate } from './certificates.server.ts';
import { qrSvg } from './qr.ts';

export interface CertificatePage {
  certificate: Certificate;
  tierName: string;
  orgName: string | null;
  /** The public verification address, as text and as a QR code (SVG drawn on the server). */
  verifyAddress: string;
  qr: string;
  timeZone: string;
}

/** Null for anyone but the holder, as for an unknown code (404). */
export async function loadCertificatePage(db: Db, userId: number, code: string, locale: Locale): Promise<CertificatePage | null> {
  const certificate = await findCertificate(db, code);
  if (!certificate || certificate.userId !== userId) return null;
  const catalog = await getCatalog();
  const { timeZone, orgName, siteUrl } = getConfig();
  const verifyAddress = verifyUrl(locale, certificate.code, siteUrl);
  return { certificate, tierName: tierTitle(catalog, certificate.tierId, locale), orgName, verifyAddress, qr: await qrSvg(verifyAddress), timeZone };
}

/** Only the name, the tier and the date; null: no such certificate. */
export async function loadVerifyPage(db: Db, code: string, locale: Locale): Promise<{ certificate: Certificate; tierName: string; timeZone: string } | null> {
  const certificate = await findCertificate(db, code);
  if (!certificate) return null;
  const catalog = await getCatalog();
  return { certificate, tierName: tierTitle(catalog, certificate.tierId, locale), timeZone: getConfig().timeZone };
}
