/**
 * Text from the diagnosed program made safe to print on a terminal.
 *
 * A dump carries strings the program chose: event names, URLs, file paths, argv, cwd, warning
 * texts, function names. A terminal interprets some bytes as commands (ESC starts CSI and OSC
 * sequences that can move the cursor, clear the screen, set the window title or a clipboard;
 * BEL rings; C1 controls act as ESC on some terminals; bidirectional overrides reorder what the
 * reader sees). None of them may reach the terminal as they are, with or without colour: they are
 * shown as visible escapes (`\x1b`, `\u202e`) instead, so the reader sees exactly what the
 * program wrote.
 */

/**
 * C0 controls (but tab), DEL, C1 controls, and the Unicode bidirectional controls and line
 * separators. Tab is kept: it is harmless and common in messages.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every terminal control shown as a visible escape: one line, nothing a terminal
 * would act on. Use it on every string that comes from the program or from a dump file.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * Like {@link terminalSafe}, but keeps line feeds: for multi-line text whose lines are each
 * made safe (a rendered tree, a report).
 */
export function terminalSafeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}
