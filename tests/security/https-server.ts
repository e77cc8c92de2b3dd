/**
 * Serves a build over real TLS (key and certificate from TLS_KEY / TLS_CERT), with the same
 * security headers as src/cli/serve.ts, so tests can see what the app does when served over
 * https. Started by tests through `startServer({ script: 'tests/security/https-server.ts' })`.
 */
import fs from 'node:fs';
import https from 'node:https';
import { securityHeaders } from '../../src/platform/http/security-headers.ts';
import { loadAppHandler } from '../../src/platform/http/app-handler.server.ts';
// Loaded up front, as src/cli/serve.ts does, so the first request does not pay for it.
import '../../src/platform/db.server.ts';

const handler = await loadAppHandler(process.env.MANABI_DIST ?? 'dist');
const headers = Object.entries(securityHeaders(process.env.NODE_ENV === 'production'));

const server = https.createServer({ key: fs.readFileSync(process.env.TLS_KEY!), cert: fs.readFileSync(process.env.TLS_CERT!) }, (req, res) => {
  for (const [name, value] of headers) res.setHeader(name, value);
  handler(req, res);
});
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT);
server.listen(port, host, () => console.log(`Manabi (https) listening on https://${host}:${port}`));
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
