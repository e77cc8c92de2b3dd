/**
 * Components available in every lesson's MDX without an import: the lesson page passes them
 * to `<Content components={contentComponents} />`. See content/README.md for examples.
 */
import Callout from './Callout.astro';
import DoDont from './DoDont.astro';
import KeyTakeaways from './KeyTakeaways.astro';
import PromptExample from './PromptExample.astro';
import Term from './Term.astro';

export const contentComponents = { Callout, DoDont, KeyTakeaways, PromptExample, Term };
export const CONTENT_COMPONENT_NAMES = Object.keys(contentComponents);
