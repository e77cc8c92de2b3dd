/**
 * A wrapper around textlint-plugin-mdx for lesson prose.
 *
 * The plugin maps an inline JSX element (`<Term …>生成AI</Term>`, `<Source … />`) to a Paragraph
 * nested inside the sentence's Paragraph. Sentence rules then see 「生成AI」 or an empty
 * paragraph as a sentence of its own (ja-no-mixed-period: "does not end with 。"). This wrapper
 * splices such nested paragraphs into their parent: a Term's text stays in the sentence, a Source
 * (no children) disappears, and positions are unchanged, so messages still point at the file.
 */

interface TxtNode {
  type: string;
  children?: TxtNode[];
  [key: string]: unknown;
}

/** What a plugin's preProcess returns: the AST, or the AST with a transformed text. */
type PreProcessed = TxtNode | { text: string; ast: TxtNode };

interface PluginProcessor {
  availableExtensions(): string[];
  processor(extension: string): {
    preProcess(text: string, filePath?: string): PreProcessed | Promise<PreProcessed>;
    postProcess(messages: unknown[], filePath?: string): unknown;
  };
}

interface TextlintPlugin {
  Processor: new (options: unknown) => PluginProcessor;
}

/** Replaces every Paragraph nested directly in a Paragraph by its own (flattened) children. */
export function flattenInlineElements(node: TxtNode): TxtNode {
  if (!node.children) return node;
  const children = node.children.flatMap((child): TxtNode[] => {
    const flat = flattenInlineElements(child);
    return node.type === 'Paragraph' && flat.type === 'Paragraph' ? (flat.children ?? []) : [flat];
  });
  return { ...node, children };
}

const flattenResult = (result: PreProcessed): PreProcessed =>
  'ast' in result && typeof result.text === 'string' ? { ...result, ast: flattenInlineElements(result.ast as TxtNode) } : flattenInlineElements(result as TxtNode);

/** Wraps a textlint plugin (textlint-plugin-mdx) so that its AST keeps inline elements in their sentence. */
export function lessonMdxPlugin<P>(plugin: P): P {
  const inner = plugin as unknown as TextlintPlugin;
  class Processor implements PluginProcessor {
    private readonly wrapped: PluginProcessor;
    constructor(options: unknown) {
      this.wrapped = new inner.Processor(options);
    }
    availableExtensions(): string[] {
      return this.wrapped.availableExtensions();
    }
    processor(extension: string): ReturnType<PluginProcessor['processor']> {
      const { preProcess, postProcess } = this.wrapped.processor(extension);
      return {
        preProcess: (text, filePath) => {
          const ast = preProcess(text, filePath);
          return ast instanceof Promise ? ast.then(flattenResult) : flattenResult(ast);
        },
        postProcess,
      };
    }
  }
  return { ...inner, Processor } as unknown as P;
}
