/**
 * DOT → SVG through Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`), so that
 * `awaitwhat view --format svg` works without a system Graphviz installation.
 *
 * @packageDocumentation
 */

import { RenderFailedError } from '../errors.js';
import { DOT_FONT, SVG_FONT_STACK } from './dot-fonts.js';

/**
 * Lays out DOT source with Graphviz' `dot` engine and returns the SVG document.
 *
 * The WebAssembly module is imported lazily: it is a few megabytes, and every other CLI
 * command should not pay for loading it.
 *
 * @param dot - Graphviz DOT source, e.g. from {@link toDot}
 * @returns the SVG text (starts with `<?xml` or `<svg`), text in the font stack of dot-fonts.ts
 * @throws {@link RenderFailedError} if the module cannot be loaded or Graphviz rejects the input
 */
export async function renderSvg(dot: string): Promise<string> {
  let svg: string;
  try {
    const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
    const graphviz = await Graphviz.load();
    svg = graphviz.layout(dot, 'svg', 'dot');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new RenderFailedError(`cannot render SVG with Graphviz: ${firstLine(detail)}`, { cause });
  }
  // Graphviz reports some syntax errors by producing nothing rather than throwing.
  if (svg.trim() === '') throw new RenderFailedError('cannot render SVG with Graphviz: empty output');
  // Graphviz names the one font it sized the boxes for; a renderer without it should fall back
  // to a sans-serif face (narrower, so it fits), not to its default serif.
  return svg.replaceAll(`font-family="${DOT_FONT}"`, `font-family="${SVG_FONT_STACK}"`);
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? 'unknown error';
  return line.trim();
}
