/**
 * The architecture of docs/how-it-works.md ("Layers"), checked against the code: every import
 * in `src/` and `cli/` points down the layer list drawn there, no source file is over 500
 * lines, and what two processes must agree on, or what the CLI once re-implemented, is
 * written in one module only.
 *
 * Imports are read with TypeScript's own pre-processor: static imports, `export … from`,
 * `import type`, dynamic `import()` (also in `typeof import(…)`), and `require()` in `.cts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/samples.js';

/**
 * Imports that point the wrong way today, each removed by a change of issue 14 in flight.
 * The test fails on any violation not listed here AND on an entry that no longer occurs:
 * the list can only shrink. Keys are `importing file -> imported file`.
 */
const ALLOWED_IMPORTS: ReadonlyMap<string, string> = new Map([
]);

/** Files over {@link MAX_LINES} today, each split by a change in flight (same rule: the list only shrinks). */
const ALLOWED_LONG_FILES: ReadonlyMap<string, string> = new Map([
]);

/** The longest a source file may be. */
const MAX_LINES = 500;

/** `src/…` and `cli/…` source files, relative to the root, with `/` separators. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(c|m)?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk('src');
  walk('cli');
  return files.sort();
}

const FILES = sourceFiles();
const TEXT = new Map(FILES.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

/**
 * The layers drawn in docs/how-it-works.md, bottom first: each is a list of units (a folder
 * or a file). A file's unit is the longest one that contains it.
 */
function documentedLayers(): string[][] {
  const doc = readFileSync(join(ROOT, 'docs', 'how-it-works.md'), 'utf8').split('\n');
  const marker = doc.findIndex((l) => l.startsWith('<!-- layers:'));
  if (marker === -1) throw new Error('docs/how-it-works.md has no "<!-- layers:" block');
  const open = doc.indexOf('```', marker);
  const close = doc.indexOf('```', open + 1);
  const layers: string[][] = [];
  for (const line of doc.slice(open + 1, close)) {
    const units: string[] = [];
    for (const word of line.trim().split(/\s+/)) {
      if (!/^(src|cli)(\/|$)/.test(word)) break;
      units.push(word.replace(/\/$/, ''));
    }
    if (units.length > 0) layers.push(units);
  }
  return layers.reverse();
}

const LAYERS = documentedLayers();

function unitOf(file: string): { unit: string; layer: number } | undefined {
  let best: { unit: string; layer: number } | undefined;
  LAYERS.forEach((units, layer) => {
    for (const unit of units) {
      if ((file === unit || file.startsWith(`${unit}/`)) && (!best || unit.length > best.unit.length)) best = { unit, layer };
    }
  });
  return best;
}

/** Every relative import of every source file, resolved to a source file (or left as written when it is not one). */
function imports(): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const from of FILES) {
    for (const { fileName } of ts.preProcessFile(TEXT.get(from)!, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue; // node: built-ins and packages
      const joined = posix.normalize(posix.join(posix.dirname(from), fileName));
      const to = [joined.replace(/\.js$/, '.ts'), joined.replace(/\.cjs$/, '.cts'), joined].find((f) => TEXT.has(f)) ?? joined;
      out.push({ from, to });
    }
  }
  return out;
}

/** Imports that do not point to a lower layer (a file's own unit is free to import itself). */
function layerViolations(): string[] {
  const found = new Set<string>();
  for (const { from, to } of imports()) {
    const a = unitOf(from);
    const b = unitOf(to);
    if (!a || !b || a.unit === b.unit || b.layer < a.layer) continue;
    found.add(`${from} -> ${to}`);
  }
  return [...found].sort();
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

describe('layers (docs/how-it-works.md)', () => {
  it('the documented diagram lists each unit once and places every source file', () => {
    const units = LAYERS.flat();
    expect(units.length).toBeGreaterThan(10);
    expect(new Set(units).size).toBe(units.length);
    expect(FILES.filter((f) => unitOf(f) === undefined)).toEqual([]);
    // Every unit drawn exists: a renamed folder cannot leave a stale line behind.
    expect(units.filter((u) => !FILES.some((f) => f === u || f.startsWith(`${u}/`)))).toEqual([]);
  });

  it('every relative import resolves to a source file', () => {
    expect(imports().filter(({ to }) => !TEXT.has(to)).map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });

  it('imports point down the layers, except the listed ones being removed', () => {
    expect(layerViolations().filter((v) => !ALLOWED_IMPORTS.has(v))).toEqual([]);
  });

  it('every allow-listed import still occurs (remove the entry once its change lands)', () => {
    const found = new Set(layerViolations());
    expect([...ALLOWED_IMPORTS.keys()].filter((v) => !found.has(v))).toEqual([]);
  });
});

describe('file size', () => {
  const long = FILES.filter((f) => lineCount(TEXT.get(f)!) > MAX_LINES);

  it(`no source file is over ${MAX_LINES} lines, except the listed ones being split`, () => {
    expect(long.filter((f) => !ALLOWED_LONG_FILES.has(f)).map((f) => `${f}: ${lineCount(TEXT.get(f)!)} lines`)).toEqual([]);
  });

  it('every allow-listed long file is still long (remove the entry once it is split)', () => {
    expect([...ALLOWED_LONG_FILES.keys()].filter((f) => !long.includes(f))).toEqual([]);
  });
});

/** A place in a source file, for messages. */
function where(file: string, source: ts.SourceFile, node: ts.Node): string {
  return `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
}

const SOURCES: Record<string, ts.SourceFile> = {};

/** Visits every node of every source file. */
function scan(visit: (file: string, source: ts.SourceFile, node: ts.Node) => void): void {
  for (const file of FILES) {
    const source = (SOURCES[file] ??= ts.createSourceFile(file, TEXT.get(file)!, ts.ScriptTarget.Latest, true));
    const walk = (node: ts.Node): void => {
      visit(file, source, node);
      ts.forEachChild(node, walk);
    };
    walk(source);
  }
}

/** The text of string, template and regular-expression literals (comments are not code). */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node) || ts.isRegularExpressionLiteral(node)) return node.text;
  if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) return node.text;
  return undefined;
}

describe('defined once', () => {
  /** Literals that may only be written in `home` (or under it, for a folder). */
  const RULES: { what: string; pattern: RegExp; home: string }[] = [
    { what: 'the "dump written to" line', pattern: /dump written to/, home: 'src/internal/protocol-strings.ts' },
    { what: "the hooks' Symbol.for key", pattern: /awaitwhat\.hooks/, home: 'src/internal/protocol-strings.ts' },
    // `awaitwhat-${pid}…` (a template head) or `awaitwhat-\d…` (a pattern): a dump's file name.
    { what: 'the dump file name', pattern: /awaitwhat-(\\d|$)/, home: 'src/internal/protocol-strings.ts' },
    { what: 'a /proc path', pattern: /^\/proc(\/|$)/, home: 'src/internal' },
  ];

  it('cross-process strings and /proc paths are written in their one module', () => {
    const misplaced: string[] = [];
    scan((file, source, node) => {
      const text = literalText(node);
      if (text === undefined) return;
      for (const rule of RULES) {
        if (rule.pattern.test(text) && file !== rule.home && !file.startsWith(`${rule.home}/`)) {
          misplaced.push(`${where(file, source, node)}: ${rule.what} (belongs in ${rule.home})`);
        }
      }
    });
    expect(misplaced).toEqual([]);
  });

  it('signal checks, NODE_OPTIONS splitting and dump reading have one implementation each', () => {
    const found: string[] = [];
    scan((file, source, node) => {
      if (!ts.isCallExpression(node)) return;
      const callee = node.expression.getText(source);
      // process.kill(pid, 0): "may this pid be signalled", src/internal/proc.ts signalProblem.
      if (callee === 'process.kill' && node.arguments[1]?.getText(source) === '0' && file !== 'src/internal/proc.ts') {
        found.push(`${where(file, source, node)}: process.kill(…, 0) outside src/internal/proc.ts`);
      }
      // NODE_OPTIONS split any other way than Node does: src/internal/node-options.ts.
      if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'split' && /NODE_OPTIONS/.test(node.expression.expression.getText(source))) {
        found.push(`${where(file, source, node)}: NODE_OPTIONS split outside src/internal/node-options.ts`);
      }
      // Reading a dump file in the CLI: cli/read-dump.ts.
      if (callee === 'parseDump' && file.startsWith('cli/') && file !== 'cli/read-dump.ts') {
        found.push(`${where(file, source, node)}: a dump read and parsed outside cli/read-dump.ts`);
      }
    });
    expect(found).toEqual([]);
  });
});
