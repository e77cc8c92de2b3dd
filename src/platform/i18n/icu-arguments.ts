/** The arguments of an ICU message and how each is used (argument, number, plural …): what the catalogue tests compare across languages. */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Locale } from './locales.ts';

type Element = { type: number; value?: string; options?: Record<string, { value: Element[] }> };
/** ICU element types of @formatjs/icu-messageformat-parser: 1 argument, 2 number, 5 select, 6 plural. */
export const ICU_ARGUMENT = 1;
export const ICU_PLURAL = 6;

/** Every argument of `text` with the element types it appears as: `count` → {plural}, `name` → {argument}. */
export function icuArguments(text: string, locale: Locale): Map<string, Set<number>> {
  const found = new Map<string, Set<number>>();
  const walk = (elements: Element[]): void => {
    for (const element of elements) {
      if (element.value !== undefined && element.type >= ICU_ARGUMENT && element.type <= ICU_PLURAL) {
        if (!found.has(element.value)) found.set(element.value, new Set());
        found.get(element.value)!.add(element.type);
      }
      for (const option of Object.values(element.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as Element[]);
  return found;
}
