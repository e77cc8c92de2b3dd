/**
 * A lesson shell (issue 17, WIP: /work/wt/SHELLS.md): a lesson page rendered once, with each
 * per-user part replaced by a named marker, kept as the pieces between the markers so a request
 * is one concatenation. Pure: the page and its parts come from the real components.
 */

export interface Shell {
  /** The page's text between the slots: one more piece than there are slots. */
  parts: string[];
  /** The slot names, in the order they appear in the page. */
  slots: string[];
}

/** The marker a slot leaves in a shell: an HTML comment, which escaped content cannot contain. */
export function slotMarker(name: string): string {
  return `<!--manabi:slot:${name}-->`;
}

/**
 * Cuts each named part out of a rendered page. Every part must occur exactly once, or the shell
 * could put a user's part in the wrong place: then this throws, naming the slot.
 */
export function cutShell(page: string, rendered: Record<string, string>): Shell {
  const found: { name: string; at: number; length: number }[] = [];
  for (const [name, html] of Object.entries(rendered)) {
    const at = html === '' ? -1 : page.indexOf(html);
    if (at < 0) throw new Error(`Slot ${name}: its part is not in the page`);
    if (page.indexOf(html, at + 1) >= 0) throw new Error(`Slot ${name}: its part occurs more than once in the page`);
    found.push({ name, at, length: html.length });
  }
  found.sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let last = 0;
  for (const slot of found) {
    if (slot.at < last) throw new Error(`Slot ${slot.name} overlaps another slot`);
    parts.push(page.slice(last, slot.at));
    last = slot.at + slot.length;
  }
  parts.push(page.slice(last));
  return { parts, slots: found.map((s) => s.name) };
}

/** The page for one user: the shell's pieces with that user's parts between them. */
export function fillShell(shell: Shell, fragments: Record<string, string>): string {
  let out = shell.parts[0]!;
  for (let i = 0; i < shell.slots.length; i++) {
    const name = shell.slots[i]!;
    const fragment = fragments[name];
    if (fragment === undefined) throw new Error(`Slot ${name}: no part given`);
    out += fragment + shell.parts[i + 1]!;
  }
  return out;
}

/** The shell as one text with markers (for a file in dist/shells and for reading it back). */
export function shellText(shell: Shell): string {
  return fillShell(shell, Object.fromEntries(shell.slots.map((name) => [name, slotMarker(name)])));
}
