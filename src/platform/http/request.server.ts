/** Small facts about the incoming request. */
import { getConfig } from '../config.server.ts';

/**
 * The client's address; null when the adapter cannot tell. With TRUST_PROXY set (Manabi behind
 * one reverse proxy), the rightmost X-Forwarded-For entry: the one that proxy appended, which a
 * client cannot forge (anything the client sent stands to its left).
 */
export function clientIp(context: { clientAddress?: string; request?: Request }): string | null {
  if (context.request && getConfig().trustProxy) {
    const forwarded = context.request.headers.get('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last.slice(0, 64);
  }
  try {
    return context.clientAddress ?? null;
  } catch {
    // Astro throws when the adapter does not provide an address.
    return null;
  }
}
