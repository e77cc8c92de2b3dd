/**
 * `revision:` entries of lessons and quizzes: the checks that both language files of an id tell the
 * same history (newest first, same dates and significances), and the merged history the catalog
 * keeps. The notes are the only part that differs by language.
 */
import { LOCALES, type Locale } from '../../platform/i18n/locales.ts';
import type { Localized, RevisionData } from './schemas.ts';

export interface Revision {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `major`: those who completed an older version are asked to review it; `minor`: nothing changes for learners. */
  significance: 'minor' | 'major';
  /** One line per language. */
  note: Localized<string>;
}

/** What the checks need of a lesson or quiz file. */
export interface RevisedEntry {
  id: string;
  file: string;
  locale: Locale;
  data: { revision: RevisionData[] };
}

/** Reports a list that is not newest first, and languages of one id whose histories differ. */
export function checkRevisions(entries: RevisedEntry[], noun: string, report: (file: string, message: string) => void): void {
  for (const entry of entries) {
    entry.data.revision.forEach((revision, i) => {
      const newer = entry.data.revision[i - 1];
      if (newer === undefined) return;
      if (revision.date === newer.date) report(entry.file, `revision: two entries dated ${revision.date}; make them one`);
      else if (revision.date > newer.date) report(entry.file, `revision: list the entries newest first (${revision.date} comes after ${newer.date})`);
    });
  }
  const byId = new Map<string, RevisedEntry[]>();
  for (const entry of [...entries].sort((a, b) => LOCALES.indexOf(a.locale) - LOCALES.indexOf(b.locale))) {
    byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry]);
  }
  for (const [id, [first, ...rest]] of byId) {
    for (const other of rest) {
      const expected = history(first!);
      const actual = history(other);
      if (actual !== expected) {
        report(
          other.file,
          `${noun} "${id}" lists revisions [${actual}] but ${first!.file} lists [${expected}]; both languages list the same dates and significances in the same order (only the notes differ)`,
        );
      }
    }
  }
}

function history(entry: RevisedEntry): string {
  return entry.data.revision.map((r) => `${r.date} ${r.significance}`).join(', ');
}

/** One history from the languages of an id (checked to agree), newest first, with the notes of each language. */
export function mergeRevisions(languages: Localized<RevisionData[]>): Revision[] {
  const reference = LOCALES.map((locale) => languages[locale]).find((list) => list !== undefined) ?? [];
  return reference.map((revision, i) => {
    const note: Localized<string> = {};
    for (const locale of LOCALES) {
      const own = languages[locale]?.[i];
      if (own !== undefined) note[locale] = own.note;
    }
    return { date: revision.date, significance: revision.significance, note };
  });
}

/** The newest major revision (the list is newest first), or null. */
export function newestMajor(revisions: Revision[]): Revision | null {
  return revisions.find((r) => r.significance === 'major') ?? null;
}
