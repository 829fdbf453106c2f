/**
 * The tree's styling: ANSI colour that collapses to identity when colour is off, and the last
 * pass that lets only those colour codes reach a terminal.
 */
import { terminalSafeLines } from '../internal/terminal-text.js';

/** ANSI styling that collapses to identity when colour is off. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

export function makeStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

/** Our own colour codes: the only terminal sequences the tree may contain (see makeStyle). */
// eslint-disable-next-line no-control-regex
const OWN_SGR = /(\u001b\[(?:1|2|22|31|33|35|36|39)m)/;

/**
 * The finished text as it may reach a terminal: every control shown as a visible escape,
 * except our own colour codes. The last line of defence: program strings were made safe
 * before they were styled, so nothing else can carry an ESC here.
 */
export function terminalOutput(text: string): string {
  if (!text.includes('\u001b')) return terminalSafeLines(text);
  return text
    .split(OWN_SGR)
    .map((piece, i) => (i % 2 === 1 ? piece : terminalSafeLines(piece)))
    .join('');
}
