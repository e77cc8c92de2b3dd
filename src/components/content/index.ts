/**
 * Components available in every lesson's MDX without an import: the lesson page passes them
 * to `<Content components={contentComponents} />`. See content/README.md for examples.
 */
import Callout from './Callout.astro';
import DoDont from './DoDont.astro';
import KeyTakeaways from './KeyTakeaways.astro';
import PromptExample from './PromptExample.astro';
import Source from './Source.astro';
import Term from './Term.astro';
import TryIt from './TryIt.astro';

export const contentComponents = { Callout, DoDont, KeyTakeaways, PromptExample, Source, Term, TryIt };
export const CONTENT_COMPONENT_NAMES = Object.keys(contentComponents);
