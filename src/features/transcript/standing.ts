/**
 * Where someone stands on a tier at a moment, from the certificates issued by then (the
 * definitions of CYCLES.md, the same for the transcript and the evidence export):
 * - `certified`: the newest certificate is valid at that moment;
 * - `expiring`: certified, and it ends within 30 days;
 * - `expired`: there is a certificate, none valid;
 * - `never`: no certificate of the tier.
 */
import { addDaysAt } from '../../platform/dates.ts';
import { certificateValid, type CertificateEntry } from '../progress/cycles.ts';

export type Standing = 'certified' | 'expiring' | 'expired' | 'never';

export const STANDINGS: readonly Standing[] = ['certified', 'expiring', 'expired', 'never'];

/** "Expiring" means valid now and ending within this many days. */
export const EXPIRING_WITHIN_DAYS = 30;

type Held = Pick<CertificateEntry, 'cycle' | 'issuedAt' | 'validUntil'>;

/**
 * The standing on one tier at `at`, and the certificate it rests on (the newest issued by then,
 * highest cycle). Certificates issued after `at` do not count: "as of" a past day is what was
 * known that day.
 */
export function standingAt<T extends Held>(certificates: readonly T[], at: Date, timeZone: string): { standing: Standing; certificate: T | null } {
  let newest: T | null = null;
  for (const c of certificates) if (c.issuedAt <= at && (newest === null || c.cycle > newest.cycle)) newest = c;
  if (newest === null) return { standing: 'never', certificate: null };
  if (!certificateValid(newest, at)) return { standing: 'expired', certificate: newest };
  const soon = newest.validUntil !== null && newest.validUntil <= addDaysAt(at, EXPIRING_WITHIN_DAYS, timeZone);
  return { standing: soon ? 'expiring' : 'certified', certificate: newest };
}
