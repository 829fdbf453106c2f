/**
 * The strings the register writes and the CLI reads (src/internal/protocol-strings.ts): what
 * one side writes, the other side's reader accepts, and nothing else. The process tests
 * (dump-pid, fixtures, triggers) exercise them between real processes.
 */
import { describe, expect, it } from 'vitest';
import { dumpFileName, dumpFileNamePattern, dumpWrittenLine, parseDumpWrittenLine } from '../src/internal/protocol-strings.js';

describe('protocol strings', () => {
  it('a dump file name matches the pattern for its own pid only, and the temporary name does not', () => {
    const name = dumpFileName(4242, new Date('2026-11-30T06:05:04.003Z'));
    expect(name).toBe('awaitwhat-4242-20261130-060504-003.json');
    expect(dumpFileNamePattern(4242).test(name)).toBe(true);
    expect(dumpFileNamePattern(424).test(name)).toBe(false);
    expect(dumpFileNamePattern(42421).test(name)).toBe(false);
    expect(dumpFileNamePattern(4242).test(`.${name}`)).toBe(false);
  });

  it('the "dump written to" line gives back its path, spaces included; other lines give nothing', () => {
    expect(dumpWrittenLine('/tmp/a b/awaitwhat-1-x.json')).toBe('awaitwhat: dump written to /tmp/a b/awaitwhat-1-x.json');
    expect(parseDumpWrittenLine(dumpWrittenLine('/tmp/a b/awaitwhat-1-x.json'))).toBe('/tmp/a b/awaitwhat-1-x.json');
    expect(parseDumpWrittenLine(`${dumpWrittenLine('/tmp/d.json')}\r`)).toBe('/tmp/d.json');
    expect(parseDumpWrittenLine('awaitwhat: dump failed: ENOSPC')).toBeUndefined();
    expect(parseDumpWrittenLine('awaitwhat: dump written to ')).toBeUndefined();
    expect(parseDumpWrittenLine('app says: awaitwhat: dump written to /x')).toBeUndefined();
  });
});
