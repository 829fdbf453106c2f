import { describe, expect, it } from 'vitest';
import { RenderFailedError } from '../src/errors.js';
import { toDot } from '../src/serialize/dot.js';
import { renderSvg } from '../src/serialize/svg.js';
import { sample } from './helpers/samples.js';

describe('renderSvg', () => {
  it('turns DOT into an SVG document without a system Graphviz', async () => {
    const svg = await renderSvg(toDot(sample('cycle')));
    expect(svg).toMatch(/^(<\?xml|<svg)/);
    expect(svg).toContain('</svg>');
    expect(svg).toContain('startCache');
  });

  it('reports bad DOT as RenderFailedError', async () => {
    await expect(renderSvg('digraph { a -> ')).rejects.toBeInstanceOf(RenderFailedError);
  });
});
