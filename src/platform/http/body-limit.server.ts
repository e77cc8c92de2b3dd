/**
 * Request body limits, enforced on the bytes actually read (a chunked body has no length to
 * check up front). The front server reads each body here, within its route's limit, before the
 * app sees it; past the limit it answers 413 and closes the connection, so nothing more is read.
 * The two upload URLs (6 MiB) are for signed-in admins only: a request to one without any session
 * cookie is answered 401 from its headers, before a byte of its body is read.
 */
import type http from 'node:http';
import { SESSION_COOKIE_NAMES } from '../../features/auth/cookie.server.ts';

/** The CSV uploads (users, help-desk) are the largest bodies: 5 MiB files plus the multipart envelope. */
export const UPLOAD_BODY_LIMIT = 6 * 1024 * 1024;
/** Every other form (sign-in, quiz answers, a wave with its departments) is a few KiB. */
export const FORM_BODY_LIMIT = 256 * 1024;

const UPLOAD_ACTIONS = new Set(['admin.importUsers', 'admin.importInquiries']);

/** True for the upload actions, as RPC (`/_actions/admin.importUsers`) or as a page's form action (`?_action=…`). */
export function isUploadTarget(target: string | undefined): boolean {
  const url = new URL(target ?? '/', 'http://localhost');
  const action = url.pathname.startsWith('/_actions/') ? url.pathname.slice('/_actions/'.length) : url.searchParams.get('_action');
  return action !== null && UPLOAD_ACTIONS.has(action);
}

/** The limit for a request target: the upload actions get the larger one. */
export function bodyLimitFor(target: string | undefined): number {
  return isUploadTarget(target) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT;
}

/**
 * Whether a Cookie header carries a (non-empty) session cookie at all: a string check, no
 * database. Whether the session is valid is the app's business, once the body is read.
 */
export function hasSessionCookie(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';').some((pair) => {
    const index = pair.indexOf('=');
    return index > 0 && SESSION_COOKIE_NAMES.includes(pair.slice(0, index).trim()) && pair.slice(index + 1).trim() !== '';
  });
}

/** An upload (a request with a body to an upload URL) from someone without any session cookie: refused from its headers. */
export function isAnonymousUpload(req: http.IncomingMessage): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD' && isUploadTarget(req.url) && !hasSessionCookie(req.headers.cookie);
}

export function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Reads the whole body, or resolves null as soon as it grows past `limit` (and stops reading). */
export function readBodyWithin(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onAborted = (): void => onError(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** After a 413, how long the client has to read it before the connection is dropped. */
const LINGER_MS = 1000;

/** 413 with `Connection: close`; nothing more of the body is read (see `answerWithoutReading`). */
export function refuseBody(req: http.IncomingMessage, res: http.ServerResponse): void {
  answerWithoutReading(req, res, 413, 'text/plain; charset=utf-8', 'Request body too large.');
}

/**
 * 401 for an anonymous upload, with a way to the sign-in page in both languages; the body is
 * never read. (A browser posting the import form always has its session cookie; one without is
 * signed out, or not a browser.)
 */
export function refuseAnonymousUpload(req: http.IncomingMessage, res: http.ServerResponse): void {
  const body = /^\/en(?:\/|\?|$)/.test(req.url ?? '')
    ? '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign-in required</title><p>Sign in, then try again. <a href="/en/login">Sign in</a></p></html>'
    : '<!doctype html><html lang="ja"><meta charset="utf-8"><title>サインインが必要です</title><p>サインインしてから、もう一度お試しください。<a href="/login">サインイン</a></p></html>';
  answerWithoutReading(req, res, 401, 'text/html; charset=utf-8', body);
}

/**
 * An answer with `Connection: close` that reads no more of the request's body. Node ends such
 * an answer by closing the socket at once, and a client still sending then gets a reset instead
 * of the answer; so the socket stops reading, is half-closed after the answer, and closed a
 * moment later.
 */
function answerWithoutReading(req: http.IncomingMessage, res: http.ServerResponse, status: number, contentType: string, body: string): void {
  const socket = req.socket;
  socket.pause();
  socket.destroySoon = () => {
    socket.end();
  };
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (!res.headersSent) {
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', connection: 'close' }).end(body);
  }
}
