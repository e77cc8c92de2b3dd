/**
 * Finds statements in a lesson body that need a `<Source … />` (CONTENT-RULES §5) and do not have one.
 *
 * A claim is a sentence that states a figure (a number with %, 時間, 万, 億, hours, percent, or a number
 * written with thousands separators such as 13,400) or cites a
 * law (第N条, a name ending in 法, 法律, Article N, an Act, "by law"). It is sourced when its paragraph
 * (block: paragraph, list, table) holds a Source, or the last sentence of the block before or the first
 * sentence of the block after does. A figure made up for the lesson is fine without a source when the
 * reader is told so in the same or the previous sentence (架空, 仮の, 練習, 例：, 目標, 見込み; fictional,
 * made-up, practice, "Example:", target, projection) — for a table or list, anywhere in it or in the
 * paragraph that introduces it. Text quoted in 「」 or "" (a target, an AI answer) is not a figure claim.
 * Prompt examples and Do/Don't lists are examples, not statements, and are skipped.
 */

export interface UnsourcedClaim {
  /** 1-based line of the block in the body. */
  line: number;
  /** The sentence that needs a source. */
  sentence: string;
  kind: 'figure' | 'law';
}

const SOURCE = /<Source\b[^>]*\/>/g;
const MARK = '\u27e6S\u27e7';

const FIGURE = /\d[\d,.]*\s?(?:%|％|時間|万|億)|\d[\d,.]*\s(?:[a-z-]+\s){0,2}(?:hours?|percent|per cent)\b|\b\d{1,3}(?:,\d{3})+\b/i;
/** Words ending in 法 that are not laws (方法, 手法, …). */
const NOT_LAW = /(?:方|手|文|用|寸|製|工|技|作|療|論|話|魔|記|書|解|算|戦|違|合|適|不|脱|無)法/g;
const LAW_JA = /第\s?[0-9０-９]+\s?条|[一-龠ァ-ヶー・]{2,}法(?![人務令])|法律/;
const LAW_EN = /\bArticle\s+\d+|\bAct\b(?!:)|\b(?:by|under) (?:the )?law\b|\bAPPI\b/;
const MADE_UP_JA = /架空|仮の|仮に|練習|例：|記入例|計算例|目標|見込み/;
const MADE_UP_EN = /fictional|made[- ]up|practice|\bExample:|\be\.g\.|\btargets?\b|projection/i;

/** Prompt examples and Do/Don't lists: multi-line elements ending with a line "/>", or one line. */
const EXAMPLES = /^<(?:PromptExample|DoDont)\b[\s\S]*?^\/>$|<(?:PromptExample|DoDont)\b[^\n]*\/>/gm;

/** Plain text of a block: tags and markup removed, a Source replaced by a marker. */
function plain(block: string): string {
  return block
    .replace(SOURCE, MARK)
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|__|`/g, '')
    .replace(/^#+\s.*$/gm, '');
}

/** Sentences of a plain block; a Source right after a full stop stays with the sentence before it. */
function sentences(text: string): string[] {
  const parts = text
    .split(/(?<=[。！？])|(?<=[.!?])(?=\s)|\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    if (part.startsWith(MARK) && out.length > 0) {
      out[out.length - 1] += part;
      continue;
    }
    out.push(part);
  }
  return out;
}

const unquoted = (s: string): string => s.replace(/「[^」]*」|“[^”]*”|"[^"]*"/g, '');

function kindOf(sentence: string): UnsourcedClaim['kind'] | null {
  const text = sentence.replaceAll(MARK, '');
  if (LAW_JA.test(text.replace(NOT_LAW, '')) || LAW_EN.test(text)) return 'law';
  if (FIGURE.test(unquoted(text))) return 'figure';
  return null;
}

export function unsourcedClaims(body: string): UnsourcedClaim[] {
  const withoutExamples = body.replace(EXAMPLES, (m) => m.replace(/[^\n]/g, ''));
  const raw: string[] = [];
  const lines: number[] = [];
  for (const match of withoutExamples.matchAll(/\S[\s\S]*?(?=\n[ \t]*\n|$)/g)) {
    raw.push(match[0]);
    lines.push(withoutExamples.slice(0, match.index).split('\n').length);
  }
  const blocks = raw.map((b) => sentences(plain(b)));
  const found: UnsourcedClaim[] = [];

  blocks.forEach((current, i) => {
    if (current.some((s) => s.includes(MARK))) return;
    if (blocks[i - 1]?.at(-1)?.includes(MARK) || blocks[i + 1]?.[0]?.includes(MARK)) return;
    const block = raw[i]!;
    const tableOrList = /^(?:\||[-*] |\d+\. )/.test(block);
    const intro = blocks[i - 1]?.join('') ?? '';
    current.forEach((sentence, j) => {
      const kind = kindOf(sentence);
      if (!kind) return;
      if (kind === 'figure') {
        const context = tableOrList ? current.join('') + intro : `${current[j - 1] ?? ''}${sentence}`;
        if (MADE_UP_JA.test(context) || MADE_UP_EN.test(context)) return;
      }
      found.push({ line: lines[i]!, sentence, kind });
    });
  });
  return found;
}
