import path from 'node:path';

/**
 * The curriculum folder, absolute: `configured` is `getBuildConfig().contentDir` (MANABI_CONTENT_DIR,
 * default `content`), which lets tests build a broken or generated corpus.
 */
export function contentDir(configured: string): string {
  return path.resolve(configured);
}
