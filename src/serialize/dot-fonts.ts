/**
 * Fonts of the DOT and SVG views, chosen so that labels fit whatever font renders them.
 *
 * Graphviz sizes every box from its own estimate of the label's width. Compiled to WebAssembly
 * (and in any `dot` without Pango) it has no font files: it estimates from tables of glyph
 * widths it carries for a few families (Times, Helvetica/Arial, Courier, DejaVu Sans, Verdana…),
 * falling back to Times for a name it does not know — a font stack such as
 * `"DejaVu Sans,Arial"` included. A renderer that draws the text in a wider font than the one
 * the boxes were sized for clips it: Helvetica-sized boxes drawn by rsvg-convert or a browser
 * with DejaVu Sans (the usual sans-serif of a Linux desktop, about 13% wider) cut titles and
 * paths. So the boxes are sized for DejaVu Sans, one of the widest sans-serif faces and one
 * Graphviz has metrics for: Liberation Sans, Arial, Helvetica or a browser's default serif all
 * draw narrower text, which then fits too.
 *
 * Graphviz measures text byte by byte (UTF-8), about 0.32 em per byte beyond ASCII: `×` (two
 * bytes) counts 0.64 em where DejaVu draws 0.84 em. Labels with such characters get a wider
 * margin, computed here, so that they fit as well.
 *
 * @packageDocumentation
 */

/** The font Graphviz sizes the boxes for (it has metrics for it) and the SVG names first. */
export const DOT_FONT = 'DejaVu Sans';

/**
 * What the SVG asks a renderer for: DejaVu Sans, its identical predecessor, then the
 * platform's sans-serif (narrower, so it fits in boxes sized for DejaVu Sans).
 */
export const SVG_FONT_STACK = "'DejaVu Sans','Bitstream Vera Sans',sans-serif";

/** Graphviz' default node margin, inches: horizontal, vertical. */
const MARGIN_X = 0.11;
const MARGIN_Y = 0.055;

/** Graphviz' estimate of a byte beyond ASCII in DejaVu Sans, em (measured on Graphviz 16). */
const ESTIMATED_EM_PER_BYTE = 0.3179;

/**
 * The widest a character beyond ASCII is drawn, em: 1.1 in the Basic Multilingual Plane
 * (Latin ligatures such as `Œ`, Greek, Cyrillic, arrows and CJK ideographs are at most about
 * 1.07 em in common faces), none for a combining mark, 1.3 beyond (emoji, drawn by a colour
 * font up to about 1.27 em).
 */
function widestEm(codePoint: number): number {
  if (codePoint >= 0x300 && codePoint < 0x370) return 0;
  return codePoint > 0xffff ? 1.3 : 1.1;
}

/**
 * How much wider than Graphviz' estimate a line may be drawn, in points: the characters
 * beyond ASCII, each at its widest, less what Graphviz counted for their bytes.
 *
 * @param line - one line of a label, as shown (not DOT-escaped)
 * @param fontSize - the label's font size, points
 */
export function underestimatePt(line: string, fontSize: number): number {
  let em = 0;
  for (const ch of line) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) continue;
    const bytes = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    em += Math.max(0, widestEm(cp) - bytes * ESTIMATED_EM_PER_BYTE);
  }
  return em * fontSize;
}

/**
 * The `margin` attribute a label needs so that it fits when drawn at its widest, or
 * `undefined` when Graphviz' default margin does (an ASCII label).
 *
 * @param lines - the label's lines, as shown
 * @param fontSize - the label's font size, points
 * @param leftJustified - lines start at the left edge (`\l`), so all the slack is on the right
 * @returns the margin, e.g. `"0.182,0.055"`
 */
export function labelMargin(lines: readonly string[], fontSize: number, leftJustified = false): string | undefined {
  const extraPt = Math.max(0, ...lines.map((line) => underestimatePt(line, fontSize)));
  if (extraPt === 0) return undefined;
  // Centred text spills over both sides alike; left-justified text only on the right.
  const side = (leftJustified ? extraPt : extraPt / 2) / 72;
  return `${(MARGIN_X + side).toFixed(3)},${MARGIN_Y}`;
}
