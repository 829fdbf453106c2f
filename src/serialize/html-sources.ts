/**
 * Source excerpts for the HTML report: a few lines around each await line, read when the
 * report is built (the page itself reads nothing). Bounded in every way a dump could abuse:
 * the URLs come from the dump, which may be damaged or hand-made.
 *
 * @packageDocumentation
 */

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../model.js';

/** A few lines of a source file around one location. */
export interface SourceExcerpt {
  /** 1-based number of `lines[0]`. */
  first: number;
  /** The line the location is on (1-based). */
  line: number;
  /** The lines, tabs expanded, each cut to {@link LIMITS.lineChars}. */
  lines: string[];
}

/** How much is read, at most. */
export const LIMITS = {
  /** Lines shown before and after the location's line. */
  context: 3,
  /** A file larger than this is not read (a bundle or generated file; or not source at all). */
  fileBytes: 4 * 1024 * 1024,
  /** Distinct files read per report. */
  files: 200,
  /** Bytes read per report, all files together. */
  totalBytes: 32 * 1024 * 1024,
  /** Excerpts per report (distinct file and line). */
  excerpts: 2000,
  /** Characters kept of each line (minified code has lines of megabytes). */
  lineChars: 240,
} as const;

/**
 * Only files with these extensions are read: source files, not whatever a dump's URL names
 * (a hand-made dump could point at `/etc/shadow`, and the report may be shared).
 */
const SOURCE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx']);

/**
 * Reads excerpts of local source files, caching each file's lines; files it may not or cannot
 * read give no excerpt.
 */
export class SourceReader {
  private readonly files = new Map<string, string[] | undefined>();
  private readonly excerpts = new Map<string, SourceExcerpt | undefined>();
  private bytesRead = 0;

  /**
   * The excerpt around `loc`, or `undefined` when the file is not a readable local source file
   * (not `file:`, another extension, missing, not a regular file, too large, a limit reached,
   * or shorter than the line).
   *
   * @param loc - a location from the dump
   */
  excerpt(loc: SourceLocation): SourceExcerpt | undefined {
    const key = `${loc.url}\u0000${loc.line}`;
    if (this.excerpts.has(key)) return this.excerpts.get(key);
    if (this.excerpts.size >= LIMITS.excerpts) return undefined;
    const lines = this.lines(loc.url);
    let excerpt: SourceExcerpt | undefined;
    if (lines && Number.isInteger(loc.line) && loc.line >= 1 && loc.line <= lines.length) {
      const first = Math.max(1, loc.line - LIMITS.context);
      const last = Math.min(lines.length, loc.line + LIMITS.context);
      excerpt = { first, line: loc.line, lines: lines.slice(first - 1, last).map(cutLine) };
    }
    this.excerpts.set(key, excerpt);
    return excerpt;
  }

  private lines(url: string): string[] | undefined {
    if (this.files.has(url)) return this.files.get(url);
    if (this.files.size >= LIMITS.files) return undefined;
    const text = this.read(url);
    const lines = text === undefined ? undefined : text.split(/\r\n|\r|\n/);
    this.files.set(url, lines);
    return lines;
  }

  private read(url: string): string | undefined {
    if (!url.startsWith('file:')) return undefined;
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      return undefined;
    }
    if (!SOURCE_EXTENSIONS.has(extname(path).toLowerCase())) return undefined;
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO named like a source file must not hang the build (it is refused
      // below, as everything that is not a regular file).
      fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch {
      return undefined;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > LIMITS.fileBytes) return undefined;
      if (this.bytesRead + stat.size > LIMITS.totalBytes) return undefined;
      const buffer = Buffer.alloc(stat.size);
      let offset = 0;
      while (offset < buffer.length) {
        const n = readSync(fd, buffer, offset, buffer.length - offset, offset);
        if (n <= 0) break;
        offset += n;
      }
      this.bytesRead += offset;
      return buffer.subarray(0, offset).toString('utf8');
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}

/** Tabs as spaces (the page shows code in a fixed-width font), the line cut to its limit. */
function cutLine(line: string): string {
  const expanded = line.replace(/\t/g, '  ');
  return expanded.length > LIMITS.lineChars ? `${expanded.slice(0, LIMITS.lineChars)}…` : expanded;
}
