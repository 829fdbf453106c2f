import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeLines } from '../src/internal/terminal-text.js';

describe('terminalSafe: program text printed on a terminal', () => {
  it('shows ESC, BEL, CR, C1 controls and bidi overrides as visible escapes', () => {
    expect(terminalSafe('a\u001b]0;pwned\u0007b')).toBe('a\\x1b]0;pwned\\x07b');
    expect(terminalSafe('x\u001b[2Jy\rz')).toBe('x\\x1b[2Jy\\x0dz');
    expect(terminalSafe('\u009b31m')).toBe('\\x9b31m');
    expect(terminalSafe('file\u202etxt.js')).toBe('file\\u202etxt.js');
    expect(terminalSafe('one\ntwo')).toBe('one\\x0atwo');
  });
  it('leaves printable text, tabs and non-ASCII letters as they are', () => {
    expect(terminalSafe('async handle\tat café.mjs:12 — ×3 └─')).toBe('async handle\tat café.mjs:12 — ×3 └─');
  });
  it('terminalSafeLines keeps line feeds and escapes the rest', () => {
    expect(terminalSafeLines('a\u001b[1m\nb\u0007')).toBe('a\\x1b[1m\nb\\x07');
  });
});
