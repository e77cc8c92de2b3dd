/**
 * The certificate page printed its verification URL, as text and as a QR code, from the
 * request's own URL: behind a TLS proxy that is plain http, and its Host is whatever the client
 * (or a misconfigured proxy) sent, so a printed certificate could send whoever checks it to
 * another site — the defect the one-time links had (issue 11, item 16). It is now built from
 * SITE_URL. The server runs plain http on 127.0.0.1 with SITE_URL=https://manabi.example.test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates } from '../../db/schema/index.ts';
import { qrSvg } from '../../src/features/progress/qr.ts';
import { rawRequest, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';

const SITE_URL = 'https://manabi.example.test';
const CODE = 'k'.repeat(24);

let app: App;

beforeAll(async () => {
  app = await startApp({
    users: { holder: { name: '修了 花子' } },
    env: { SITE_URL },
    prepare: async (db, ids) => {
      await rawDrizzle(db).insert(certificates).values({ code: CODE, userId: ids.holder!, tierId: 'basic', holderName: '修了 花子', issuedAt: new Date() });
    },
  });
});

afterAll(async () => {
  await app?.stop();
});

/** The certificate page as a client claiming `headers` sees it. */
async function certificatePage(path: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await rawRequest(app.url, path, { headers: { cookie: app.cookies.holder!, ...headers } });
  expect(response.status).toBe(200);
  return response.body;
}

/** The inline QR code of the page, as drawn by the server. */
const qrOf = (html: string): string => /<svg class="qr-code"[\s\S]*?<\/svg>/.exec(html)![0];

describe('the certificate verification URL is built from SITE_URL', () => {
  it('prints the https address on SITE_URL, as text and in the QR code, although the request came over http', async () => {
    for (const [path, expected] of [
      [`/certificates/${CODE}`, `${SITE_URL}/verify/${CODE}`],
      [`/en/certificates/${CODE}`, `${SITE_URL}/en/verify/${CODE}`],
    ] as const) {
      const html = await certificatePage(path);
      expect(html).toContain(expected);
      expect(qrOf(html)).toBe(await qrSvg(expected));
    }
  });

  it('ignores a forged Host and forwarded headers: neither the printed URL nor the QR code moves', async () => {
    const html = await certificatePage(`/certificates/${CODE}`, { host: 'attacker.example', 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'http' });
    const expected = `${SITE_URL}/verify/${CODE}`;
    expect(html).not.toContain('attacker.example');
    expect(html).toContain(expected);
    expect(qrOf(html)).toBe(await qrSvg(expected));
    expect(qrOf(html)).not.toBe(await qrSvg(`http://attacker.example/verify/${CODE}`));
  });
});
