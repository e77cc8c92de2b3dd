import { describe, expect, it } from 'vitest';
import { cutShell, fillShell, shellText, slotMarker } from './lesson-shell.ts';

const page = '<main><p>header A</p><article>body</article><section>box A</section></main>';

describe('lesson shells', () => {
  it('cuts the named parts out and fills them back in their page order', () => {
    const shell = cutShell(page, { progress: '<section>box A</section>', header: '<p>header A</p>' });
    expect(shell.slots).toEqual(['header', 'progress']);
    expect(fillShell(shell, { header: '<p>header A</p>', progress: '<section>box A</section>' })).toBe(page);
    expect(fillShell(shell, { header: '<p>B</p>', progress: '<section>done</section>' })).toBe('<main><p>B</p><article>body</article><section>done</section></main>');
    expect(shellText(shell)).toBe(`<main>${slotMarker('header')}<article>body</article>${slotMarker('progress')}</main>`);
  });

  it('refuses a part that is missing, repeated or overlapping, and a fill without a part', () => {
    expect(() => cutShell(page, { progress: '<section>box B</section>' })).toThrow('Slot progress: its part is not in the page');
    expect(() => cutShell('<p>x</p><p>x</p>', { a: '<p>x</p>' })).toThrow('occurs more than once');
    expect(() => cutShell(page, { a: '<p>header A</p><article>', b: '<article>body' })).toThrow('overlaps');
    expect(() => fillShell(cutShell(page, { progress: '<section>box A</section>' }), {})).toThrow('Slot progress: no part given');
  });
});
