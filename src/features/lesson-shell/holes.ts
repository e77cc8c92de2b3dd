/**
 * Value holes in build-time renders (issue 17, /work/wt/SHELLS.md). A hole is a sentinel that
 * Astro's escaping leaves as it is (U+0000 and plain letters), rendered where a value goes; at
 * request time it is replaced by the value escaped the way Astro escapes that context: text
 * content like `escapeHTML` (astro/runtime/server/escape.js), attribute values like its
 * `toAttributeString` (only `&` and `"`).
 */

export type HoleKind = 'text' | 'attr';

const MARK = '\u0000';

export function hole(kind: HoleKind, name: string): string {
  return `${MARK}${kind === 'text' ? 'T' : 'A'}:${name}${MARK}`;
}

/** A slot's marker in a shell: an HTML comment, which escaped content cannot contain. */
export function slotMarker(name: string): string {
  return `<!--manabi:slot:${name}-->`;
}

export type Token = { slot: string } | { hole: string; kind: HoleKind };

/** A render cut at its slots and holes: `parts` has one more entry than `tokens`. */
export interface Template {
  parts: string[];
  tokens: Token[];
}

const TOKEN = new RegExp(`<!--manabi:slot:([\\w:-]+)-->|${MARK}([TA]):(\\w+)${MARK}`, 'g');

/** Cuts a render at its markers; throws on anything marker-like that is left (a broken sentinel). */
export function tokenize(html: string): Template {
  const parts: string[] = [];
  const tokens: Token[] = [];
  let last = 0;
  for (const match of html.matchAll(TOKEN)) {
    parts.push(html.slice(last, match.index));
    tokens.push(match[1] !== undefined ? { slot: match[1] } : { hole: match[3]!, kind: match[2] === 'T' ? 'text' : 'attr' });
    last = match.index + match[0].length;
  }
  parts.push(html.slice(last));
  for (const part of parts) {
    if (part.includes(MARK) || part.includes('<!--manabi:')) throw new Error('A hole or slot marker was not rendered whole');
  }
  return { parts, tokens };
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' };

/** As Astro escapes text content (escapeHTML). */
export function escapeText(value: string): string {
  return value.replace(/[&<>'"]/g, (c) => TEXT_ESCAPES[c]!);
}

/** As Astro escapes an attribute value (toAttributeString). */
export function escapeAttribute(value: string): string {
  if (!value.includes('&') && !value.includes('"')) return value;
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Fills a template: slots from `slots` (already HTML), holes from `values` (escaped here). */
export function fill(template: Template, slots: Record<string, string>, values: Record<string, string>): string {
  const { parts, tokens } = template;
  let out = parts[0]!;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if ('slot' in token) {
      const html = slots[token.slot];
      if (html === undefined) throw new Error(`Slot ${token.slot}: no part given`);
      out += html;
    } else {
      const value = values[token.hole];
      if (value === undefined) throw new Error(`Hole ${token.hole}: no value given`);
      out += token.kind === 'text' ? escapeText(value) : escapeAttribute(value);
    }
    out += parts[i + 1]!;
  }
  return out;
}
