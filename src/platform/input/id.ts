/**
 * Row ids as they arrive in paths, query strings and forms. Ids are 32-bit integers on
 * PostgreSQL (`integer`, at most 2,147,483,647; SQLite's go further): a larger number names no
 * row, and handing it to PostgreSQL would be an error ("out of range"), not "not found".
 */
export const MAX_ID = 2 ** 31 - 1;

/** The id a path or query segment names (digits, no leading zero, in range), or null. */
export function parseId(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_ID ? id : null;
}
