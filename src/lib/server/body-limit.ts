/**
 * Request body limits, enforced on the bytes actually read (a chunked body has no length to
 * check up front). The front server reads each body here, within its route's limit, before the
 * app sees it; past the limit it answers 413 and closes the connection, so nothing more is read.
 */
import type http from 'node:http';

/** The CSV uploads (users, help-desk) are the largest bodies: 5 MiB files plus the multipart envelope. */
export const UPLOAD_BODY_LIMIT = 6 * 1024 * 1024;
/** Every other form (sign-in, quiz answers, a wave with its departments) is a few KiB. */
export const FORM_BODY_LIMIT = 256 * 1024;

const UPLOAD_ACTIONS = new Set(['admin.importUsers', 'admin.importInquiries']);

/** The limit for a request target: the upload actions (as RPC or as a page's form action) get the larger one. */
export function bodyLimitFor(target: string | undefined): number {
  const url = new URL(target ?? '/', 'http://localhost');
  const action = url.pathname.startsWith('/_actions/') ? url.pathname.slice('/_actions/'.length) : url.searchParams.get('_action');
  return action !== null && UPLOAD_ACTIONS.has(action) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT;
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

/**
 * 413 with `Connection: close`; nothing more of the body is read. Node ends such an answer by
 * closing the socket at once, and a client still sending then gets a reset instead of the 413;
 * so the socket stops reading, is half-closed after the answer, and closed a moment later.
 */
export function refuseBody(req: http.IncomingMessage, res: http.ServerResponse): void {
  const socket = req.socket;
  socket.pause();
  socket.destroySoon = () => {
    socket.end();
  };
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (!res.headersSent) {
    res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Request body too large.');
  }
}
