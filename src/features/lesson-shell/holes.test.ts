import { escapeHTML } from 'astro/runtime/server/escape.js';
import { describe, expect, it } from 'vitest';
import { escapeText, fill, hole, slotMarker, tokenize } from './holes.ts';

describe('holes', () => {
  it('escapes text exactly as Astro does', () => {
    const sample = `a&b<c>d'e"f 学 \u00a0`;
    expect(escapeText(sample)).toBe(escapeHTML(sample));
  });

  it('cuts a render at slots and holes and fills it back', () => {
    const html = `<p>${hole('text', 'name')}</p>${slotMarker('box')}<a href="${hole('attr', 'href')}">x</a>`;
    const template = tokenize(html);
    expect(template.tokens).toEqual([{ hole: 'name', kind: 'text' }, { slot: 'box' }, { hole: 'href', kind: 'attr' }]);
    expect(fill(template, { box: '<b>1</b>' }, { name: `<A&"'>`, href: '/a?x="&' })).toBe('<p>&lt;A&amp;&quot;&#39;&gt;</p><b>1</b><a href="/a?x=&quot;&amp;">x</a>');
  });

  it('refuses a broken sentinel', () => {
    expect(() => tokenize('<p>\u0000T:na me\u0000</p>')).toThrow(/not rendered whole/);
  });
});
