/**
 * Test files are often transformed before they run: vitest runs every test file through Vite
 * (its import rewriting alone moves every line), TypeScript loaders strip types. V8, and so a
 * dump, knows the lines of the code it ran; the person reading a failure knows the file they
 * wrote. Transformers leave a source map in the code they hand to V8 (an inline `data:` URL:
 * vite-node's, tsx's, esbuild's), and V8 reports it with the script (`Debugger.scriptParsed`'s
 * `sourceMapURL`): this maps a dump's locations back through it, with Node's own `SourceMap`
 * reader. Only inline maps are read (no file is opened); a script without one keeps its lines.
 *
 * @internal
 */
import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { shapeNode, type Dump, type SourceLocation } from '../model.js';

/** The inline source map of every script whose URL is in `urls`, as V8 knows it. */
function inlineSourceMaps(urls: Set<string>): Map<string, SourceMap> {
  const maps = new Map<string, SourceMap>();
  const session = new Session();
  try {
    session.connect();
    session.on('Debugger.scriptParsed', (message: { params: { url: string; sourceMapURL?: string } }) => {
      const { url, sourceMapURL } = message.params;
      if (!urls.has(url) || maps.has(url) || !sourceMapURL?.startsWith('data:')) return;
      try {
        const comma = sourceMapURL.indexOf(',');
        const head = sourceMapURL.slice(0, comma);
        const body = sourceMapURL.slice(comma + 1);
        const json = head.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
        maps.set(url, new SourceMap(JSON.parse(json)));
      } catch {
        // a map that does not parse: the script keeps its own lines
      }
    });
    // Same-thread session: every script's event arrives during this call.
    session.post('Debugger.enable', {}, () => undefined);
    session.post('Debugger.disable', {}, () => undefined);
  } catch {
    // no inspector: nothing is mapped
  } finally {
    session.disconnect();
  }
  return maps;
}

/** `loc` in the source the map was made from (same URL when the map names no other file). */
function mapped(loc: SourceLocation, map: SourceMap): SourceLocation {
  const entry = map.findEntry(loc.line - 1, loc.column - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry?.originalLine === undefined || entry.originalColumn === undefined) return loc;
  let url = loc.url;
  if (entry.originalSource) {
    try {
      url = new URL(entry.originalSource, loc.url).href;
    } catch {
      url = loc.url;
    }
  }
  return { url, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

/**
 * The dump with every location of a transformed script (one with an inline source map) in its
 * original source. Nodes are copied, never changed in place.
 */
export function mapToSources(dump: Dump): Dump {
  const urls = new Set<string>();
  const note = (loc: SourceLocation | undefined): void => {
    if (loc && !loc.url.startsWith('node:') && !loc.url.includes('/node_modules/')) urls.add(loc.url);
  };
  for (const node of dump.nodes) {
    note(node.awaitLocation);
    note(node.functionLocation);
    note(node.leaf?.location);
  }
  if (urls.size === 0) return dump;
  const maps = inlineSourceMaps(urls);
  if (maps.size === 0) return dump;
  const map = (loc: SourceLocation): SourceLocation => {
    const sourceMap = maps.get(loc.url);
    return sourceMap ? mapped(loc, sourceMap) : loc;
  };
  return {
    ...dump,
    // shapeNode: a spread of the node union is typed as no single kind; the kind keeps its fields.
    nodes: dump.nodes.map((node) => shapeNode({
      ...node,
      ...(node.awaitLocation ? { awaitLocation: map(node.awaitLocation) } : {}),
      ...(node.functionLocation ? { functionLocation: map(node.functionLocation) } : {}),
      ...(node.leaf?.location ? { leaf: { ...node.leaf, location: map(node.leaf.location) } } : {}),
    })),
  };
}
