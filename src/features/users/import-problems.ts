/**
 * What is wrong with an imported CSV (users, help-desk inquiries), as data: a line, a code and
 * the values its message needs. The parsers and importers return these; the pages render them
 * in the page's language and the CLI in the user's (`LANG`), all through the UI strings
 * (`import.problem.<code>` in src/platform/i18n/*.json).
 */
import { translator, type MessageKey, type Translator } from '../../platform/i18n/index.ts';
import type { Locale } from '../../platform/i18n/locales.ts';

/** LC_ALL, LC_MESSAGES and LANG, as the caller read them (`getConfig().localeVariables`). */
export type LocaleVariables = Partial<Record<'LC_ALL' | 'LC_MESSAGES' | 'LANG', string>>;

export const IMPORT_PROBLEM_CODES = [
  // the file as a whole
  'file_too_large',
  'too_many_rows',
  'malformed_csv',
  'empty_file',
  'no_rows',
  'unknown_encoding',
  'replacement_character',
  'missing_columns',
  'unknown_columns',
  'bad_header',
  // a row
  'wrong_field_count',
  'bad_email',
  'invisible_name',
  'invisible_department',
  'missing_name',
  'name_too_long',
  'missing_department',
  'department_too_long',
  'unknown_role',
  'duplicate_in_file',
  'already_exists',
  'cannot_demote_self',
  'last_admin',
  'bad_month',
  'bad_count',
  'duplicate_month',
  'duplicate_month_company',
  'unknown_department',
  // the users file's optional manager column
  'bad_manager_email',
  'manager_self',
  'unknown_manager',
  'inactive_manager',
  'manager_cycle',
  // the database in use
] as const;

export type ImportProblemCode = (typeof IMPORT_PROBLEM_CODES)[number];

export interface ImportProblem<Code extends ImportProblemCode = ImportProblemCode> {
  /** 1-based line of the file (the header is line 1); 0 for problems with the file as a whole. */
  line: number;
  code: Code;
  /** The values the message names (the offending value, a limit, the first line of a duplicate). */
  params?: Record<string, string | number>;
}

/** One problem as a sentence: `line 3: bad email "x"` / `3行目：メールアドレス「x」が正しくありません`. */
export function importProblemText(t: Translator, problem: ImportProblem): string {
  const message = t(`import.problem.${problem.code}` as MessageKey, problem.params);
  return problem.line > 0 ? t('import.problemAt', { line: problem.line, message }) : t('import.problemInFile', { message });
}

/** The CLI's language: Japanese when the locale environment (LC_ALL, LC_MESSAGES, LANG, in POSIX order) asks for it. */
export function cliLocale(env: LocaleVariables): Locale {
  const value = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ja(?:[_.@-]|$)/i.test(value) ? 'ja' : 'en';
}

/** The translator for CLI output. */
export function cliTranslator(env: LocaleVariables): Translator {
  return translator(cliLocale(env));
}
