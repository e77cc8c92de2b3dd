import path from 'node:path';

/** The curriculum folder; MANABI_CONTENT_DIR lets tests build a broken or generated corpus. */
export function contentDir(): string {
  return path.resolve(process.env.MANABI_CONTENT_DIR ?? 'content');
}
