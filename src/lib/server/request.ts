/** Small facts about the incoming request. */

/** The client's address as the server sees it; null when the adapter cannot tell. */
export function clientIp(context: { clientAddress?: string }): string | null {
  try {
    return context.clientAddress ?? null;
  } catch {
    // Astro throws when the adapter does not provide an address.
    return null;
  }
}
