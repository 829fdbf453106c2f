/**
 * Checks, in a real browser, that every label of a Graphviz SVG fits in its shape when drawn in
 * a given font: each text's rendered bounding box (`getBBox`) must lie inside its node's
 * outline (`isPointInFill` on the polygon, ellipse or path Graphviz drew), and inside the
 * picture.
 */
import type { Page } from 'playwright-core';

/** A label that does not fit: its node, its text, and by how much it spills (user units). */
export interface Overflow {
  node: string;
  text: string;
  spill: number;
}

/**
 * Loads `svg` into `page`, draws its text in `font` (a CSS font-family, or `null` for what the
 * SVG declares), and returns every text that spills out of its shape or out of the picture.
 *
 * @param page - a page of a browser
 * @param svg - an SVG document, as Graphviz wrote it
 * @param font - the font every text is drawn in, or `null`
 * @returns the overflows (empty when everything fits) and how many texts were checked
 */
export async function svgOverflows(page: Page, svg: string, font: string | null): Promise<{ checked: number; overflows: Overflow[]; fonts: string[] }> {
  const body = svg.slice(svg.indexOf('<svg'));
  await page.setContent(`<!doctype html><html><body style="margin:0">${body}</body></html>`);
  return page.evaluate((font) => {
    const root = document.querySelector('svg') as SVGSVGElement;
    if (font !== null) {
      const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
      style.textContent = `text { font-family: ${font} !important; }`;
      root.prepend(style);
    }
    const canvas = root.querySelector('g.graph > polygon') as SVGPolygonElement;
    const overflows: Array<{ node: string; text: string; spill: number }> = [];
    let checked = 0;
    const fonts = new Set<string>();
    // How far outside `shape` a point is: 0 inside, else the distance to the nearest inside point along x.
    const spillOf = (shapes: SVGGeometryElement[], x: number, y: number): number => {
      const inside = (px: number): boolean => shapes.some((s) => s.isPointInFill(new DOMPoint(px, y)));
      if (inside(x)) return 0;
      for (let d = 0.25; d < 500; d += 0.25) if (inside(x - d) || inside(x + d)) return d;
      return 500;
    };
    for (const node of root.querySelectorAll('g.node')) {
      const shapes = [...node.querySelectorAll('polygon, ellipse, path')] as SVGGeometryElement[];
      const name = node.querySelector('title')?.textContent ?? '?';
      for (const text of node.querySelectorAll('text')) {
        checked++;
        fonts.add(getComputedStyle(text).fontFamily);
        const b = text.getBBox();
        // Glyph boxes include the font's whole ascent and descent; half a unit of slack for rounding.
        const [l, r, t, btm] = [b.x + 0.5, b.x + b.width - 0.5, b.y + 0.5, b.y + b.height - 0.5];
        const spill = Math.max(
          ...[[l, t], [r, t], [l, btm], [r, btm]].map(([x, y]) => Math.max(spillOf(shapes, x as number, y as number), spillOf([canvas], x as number, y as number))),
        );
        if (spill > 0) overflows.push({ node: name, text: text.textContent ?? '', spill });
      }
    }
    return { checked, overflows, fonts: [...fonts] };
  }, font);
}
