/**
 * Decodes an uploaded CSV file, strictly: UTF-8 (with or without BOM), or Shift_JIS as Excel
 * on Japanese Windows writes it (CP932: half-width katakana, NEC special characters such as
 * ① and ㈱, IBM extensions such as 髙 and 﨑), decoded with iconv-lite. A file that is valid
 * UTF-8 is UTF-8; otherwise it must be valid CP932; otherwise it is refused with the first
 * line that cannot be read. A decode never yields U+FFFD: a file that already carries one lost
 * a character in an earlier conversion, and is refused too.
 */
import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'cp932';

export type DecodedCsv =
  | { ok: true; text: string; encoding: CsvEncoding }
  | {
      ok: false;
      /** 1-based line of the first character that cannot be read. */
      line: number;
      reason: 'unknown_encoding' | 'replacement_character';
    };

/** Throws on the first malformed sequence; strips a BOM. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * What a CP932 decode gives for bytes that are not CP932 text: U+FFFD (iconv-lite's mark for
 * an undefined sequence; CP932 itself cannot encode U+FFFD), C1 controls (the lone byte 0x80)
 * and the private use area (the user-defined rows 0xF040–0xF9FC, 外字 without a standard
 * form, which is also where Latin-1 letters such as ñ followed by a letter land).
 */
const NOT_CP932_TEXT = /[\uFFFD\u0080-\u009F\uE000-\uF8FF]/;

export function decodeCsv(bytes: Uint8Array): DecodedCsv {
  let utf8: string | null = null;
  try {
    utf8 = strictUtf8.decode(bytes);
  } catch {
    // Not UTF-8: try CP932 below.
  }
  if (utf8 !== null) {
    const lost = utf8.indexOf('\uFFFD');
    return lost === -1 ? { ok: true, text: utf8, encoding: 'utf-8' } : { ok: false, line: lineAt(utf8, lost), reason: 'replacement_character' };
  }

  const cp932 = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp932');
  const bad = cp932.search(NOT_CP932_TEXT);
  if (bad === -1) return { ok: true, text: cp932, encoding: 'cp932' };

  // Neither. Name the line where the encoding that reads furthest stops: a UTF-8 file with one
  // broken line fails early as CP932 (at its first Japanese character) but late as UTF-8.
  const asUtf8 = lenientUtf8.decode(bytes);
  return { ok: false, line: Math.max(lineAt(cp932, bad), lineAt(asUtf8, asUtf8.indexOf('\uFFFD'))), reason: 'unknown_encoding' };
}

/** The 1-based line of `index` in `text`, counting CRLF, LF and CR line ends as csv-parse does. */
function lineAt(text: string, index: number): number {
  return (text.slice(0, Math.max(0, index)).match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
}
