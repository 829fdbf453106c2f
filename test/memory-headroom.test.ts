/**
 * Reading memory limits (cgroup v1 and v2, ancestors, containers whose mount root is their
 * cgroup, "max" and v1's unlimited value, missing files, MemAvailable) from fixed file texts,
 * and the guard's decision and refused dump (valid against the reader and the JSON schema).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  cgroupDirectories,
  parseCgroupFile,
  parseLimitValue,
  parseMountInfo,
  readMemoryLimits,
  statValue,
  tightestLimit,
  type TextReader,
} from '../src/internal/memory-headroom.js';
import { checkDumpMemory, estimateDumpPeak, refusedDump } from '../src/snapshot/memory-guard.js';
import { parseDump, serializeDump } from '../src/serialize/json.js';
import { renderTree } from '../src/serialize/tree.js';
import { ROOT } from './helpers/samples.js';

const MiB = 1024 * 1024;
const MEMINFO = 'MemTotal:       24683620 kB\nMemFree:        22000000 kB\nMemAvailable:   24338956 kB\n';
const V1_MOUNTINFO = [
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '33 30 0:30 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '40 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

/** A reader over a fixed set of files. */
function files(map: Record<string, string>): TextReader {
  return (path) => map[path];
}

describe('parsing', () => {
  it('limit values: numbers, "max", the v1 unlimited value, garbage', () => {
    expect(parseLimitValue('314572800\n')).toBe(314572800);
    expect(parseLimitValue('max\n')).toBeUndefined();
    expect(parseLimitValue('9223372036854771712\n')).toBeUndefined();
    expect(parseLimitValue('')).toBeUndefined();
    expect(parseLimitValue(undefined)).toBeUndefined();
    expect(parseLimitValue('-1')).toBeUndefined();
  });

  it('memory.stat and /proc/meminfo values', () => {
    expect(statValue('cache 2572288\ntotal_inactive_file 876544\n', 'total_inactive_file')).toBe(876544);
    expect(statValue('inactive_file 10\n', 'total_inactive_file')).toBeUndefined();
    expect(statValue(MEMINFO, 'MemAvailable')).toBe(24338956 * 1024);
  });

  it('/proc/<pid>/cgroup: the v1 memory line and the v2 line', () => {
    const text = '9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/user.slice\n';
    expect(parseCgroupFile(text)).toEqual({ v1Memory: '/process_api/abc', v2: '/user.slice' });
    expect(parseCgroupFile('0::/\n')).toEqual({ v2: '/' });
    expect(parseCgroupFile(undefined)).toEqual({});
  });

  it('mountinfo: the memory v1 mount, the cgroup2 mount, a container root, escaped paths', () => {
    expect(parseMountInfo(V1_MOUNTINFO)).toEqual({
      v1Memory: { mountPoint: '/sys/fs/cgroup/memory', root: '/' },
      v2: { mountPoint: '/sys/fs/cgroup/unified', root: '/' },
    });
    const container = '600 590 0:40 /docker/abc /sys/fs/cgroup/my\\040cg rw - cgroup2 cgroup2 rw,nsdelegate';
    expect(parseMountInfo(container).v2).toEqual({ mountPoint: '/sys/fs/cgroup/my cg', root: '/docker/abc' });
  });

  it('cgroup directories: innermost first up to the mount; the mount root when the path is not under it', () => {
    const mount = { mountPoint: '/sys/fs/cgroup/memory', root: '/' };
    expect(cgroupDirectories(mount, '/a/b', () => true)).toEqual(['/sys/fs/cgroup/memory/a/b', '/sys/fs/cgroup/memory/a', '/sys/fs/cgroup/memory']);
    // A container whose mount root is its own cgroup: /proc/self/cgroup names a path the mount does not show.
    expect(cgroupDirectories(mount, '/kubepods/pod1/c1', () => false)).toEqual(['/sys/fs/cgroup/memory']);
    // The mount's root is a prefix of the path: only the rest is below the mount point.
    expect(cgroupDirectories({ mountPoint: '/sys/fs/cgroup', root: '/docker/abc' }, '/docker/abc/inner', () => true)).toEqual([
      '/sys/fs/cgroup/inner',
      '/sys/fs/cgroup',
    ]);
    expect(cgroupDirectories(mount, '/', () => true)).toEqual(['/sys/fs/cgroup/memory']);
  });
});

describe('readMemoryLimits', () => {
  it('cgroup v1: the process cgroup and its limited ancestors, inactive file pages not counted; MemAvailable', () => {
    const base = '/sys/fs/cgroup/memory';
    const limits = readMemoryLimits({
      pid: 42,
      read: files({
        '/proc/42/cgroup': '4:memory:/process_api/abc\n0::/\n',
        '/proc/self/mountinfo': V1_MOUNTINFO,
        '/proc/meminfo': MEMINFO,
        [`${base}/process_api/abc/cgroup.procs`]: '42\n',
        [`${base}/process_api/abc/memory.limit_in_bytes`]: `${300 * MiB}\n`,
        [`${base}/process_api/abc/memory.usage_in_bytes`]: `${120 * MiB}\n`,
        [`${base}/process_api/abc/memory.stat`]: `cache 1\ntotal_inactive_file ${20 * MiB}\n`,
        [`${base}/process_api/memory.limit_in_bytes`]: `${1024 * MiB}\n`,
        [`${base}/process_api/memory.usage_in_bytes`]: `${900 * MiB}\n`,
        [`${base}/memory.limit_in_bytes`]: '9223372036854771712\n',
      }),
    });
    expect(limits).toEqual([
      { source: 'cgroup v1 memory.limit_in_bytes', path: `${base}/process_api/abc/memory.limit_in_bytes`, limitBytes: 300 * MiB, usageBytes: 100 * MiB, headroomBytes: 200 * MiB },
      { source: 'cgroup v1 memory.limit_in_bytes', path: `${base}/process_api/memory.limit_in_bytes`, limitBytes: 1024 * MiB, usageBytes: 900 * MiB, headroomBytes: 124 * MiB },
      { source: 'system MemAvailable', limitBytes: 24683620 * 1024, usageBytes: (24683620 - 24338956) * 1024, headroomBytes: 24338956 * 1024 },
    ]);
    // The parent leaves less than the process's own cgroup: it is the one that counts.
    expect(tightestLimit(limits)?.path).toBe(`${base}/process_api/memory.limit_in_bytes`);
  });

  it('cgroup v2: memory.max as a number, "max" above it; v2 usage is memory.current', () => {
    const base = '/sys/fs/cgroup';
    const limits = readMemoryLimits({
      read: files({
        '/proc/self/cgroup': '0::/app/worker\n',
        '/proc/self/mountinfo': '25 20 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
        [`${base}/app/worker/cgroup.procs`]: '1\n',
        [`${base}/app/worker/memory.max`]: `${512 * MiB}\n`,
        [`${base}/app/worker/memory.current`]: `${100 * MiB}\n`,
        [`${base}/app/worker/memory.stat`]: `anon 1\ninactive_file ${MiB}\n`,
        [`${base}/app/memory.max`]: 'max\n',
        [`${base}/app/memory.current`]: `${100 * MiB}\n`,
      }),
    });
    expect(limits).toEqual([
      { source: 'cgroup v2 memory.max', path: `${base}/app/worker/memory.max`, limitBytes: 512 * MiB, usageBytes: 99 * MiB, headroomBytes: 413 * MiB },
    ]);
  });

  it('a container whose cgroup2 mount root is its cgroup: the mount root\'s memory.max', () => {
    const limits = readMemoryLimits({
      read: files({
        '/proc/self/cgroup': '0::/kubepods/burstable/pod1/c1\n',
        '/proc/self/mountinfo': '25 20 0:22 / /sys/fs/cgroup ro - cgroup2 cgroup2 rw',
        '/sys/fs/cgroup/memory.max': `${256 * MiB}\n`,
        '/sys/fs/cgroup/memory.current': `${56 * MiB}\n`,
      }),
    });
    expect(limits).toEqual([{ source: 'cgroup v2 memory.max', path: '/sys/fs/cgroup/memory.max', limitBytes: 256 * MiB, usageBytes: 56 * MiB, headroomBytes: 200 * MiB }]);
  });

  it('missing files are no limit: nothing at all, or MemAvailable alone', () => {
    expect(readMemoryLimits({ read: () => undefined })).toEqual([]);
    const onlyMeminfo = readMemoryLimits({ read: files({ '/proc/meminfo': MEMINFO, '/proc/self/cgroup': '4:memory:/x\n' }) });
    expect(onlyMeminfo.map((l) => l.source)).toEqual(['system MemAvailable']);
  });

  it('this machine: every limit read has its headroom within its limit', () => {
    for (const limit of readMemoryLimits()) {
      expect(limit.headroomBytes).toBeGreaterThanOrEqual(0);
      expect(limit.headroomBytes).toBeLessThanOrEqual(limit.limitBytes);
    }
  });
});

describe('the decision', () => {
  const cgroup = { source: 'cgroup v1 memory.limit_in_bytes', limitBytes: 1024 * MiB, usageBytes: 180 * MiB, headroomBytes: 844 * MiB };

  it('estimates grow with the heap, background above in-process', () => {
    expect(estimateDumpPeak(100 * MiB, 'background')).toBeGreaterThan(estimateDumpPeak(100 * MiB, 'in-process'));
    expect(estimateDumpPeak(200 * MiB, 'in-process')).toBeGreaterThan(estimateDumpPeak(100 * MiB, 'in-process'));
  });

  it('refuses what exceeds the tightest headroom, names it, and lets the rest through', () => {
    const refusal = checkDumpMemory({ way: 'background', heapUsedBytes: 106 * MiB, limits: [cgroup] }, {}, {});
    expect(refusal?.limit).toEqual({ source: cgroup.source, limitBytes: cgroup.limitBytes, usageBytes: cgroup.usageBytes, headroomBytes: cgroup.headroomBytes });
    expect(refusal?.reason).toContain('cgroup v1 memory.limit_in_bytes is 1.0 GiB with 180 MiB in use, leaving 844 MiB');
    expect(checkDumpMemory({ way: 'background', heapUsedBytes: 10 * MiB, limits: [cgroup] }, {}, {})).toBeUndefined();
    expect(checkDumpMemory({ way: 'background', heapUsedBytes: 10 * MiB, limits: [] }, {}, {})).toBeUndefined();
  });

  it('the budget applies without any cgroup; force (option or environment) overrides', () => {
    expect(checkDumpMemory({ way: 'in-process', heapUsedBytes: 10 * MiB, limits: [] }, {}, { AWAITWHAT_MEMORY_BUDGET_MB: '50' })?.limit.source).toBe(
      'AWAITWHAT_MEMORY_BUDGET_MB=50',
    );
    const byOption = checkDumpMemory({ way: 'in-process', heapUsedBytes: 10 * MiB, limits: [] }, { memoryBudgetMB: 50 }, { AWAITWHAT_MEMORY_BUDGET_MB: '4000' });
    expect(byOption?.limit).toMatchObject({ source: 'option memoryBudgetMB=50', headroomBytes: 50 * MiB });
    expect(byOption?.reason).toContain('the budget option memoryBudgetMB=50 allows 50 MiB');
    expect(checkDumpMemory({ way: 'in-process', heapUsedBytes: 10 * MiB, limits: [] }, {}, { AWAITWHAT_MEMORY_BUDGET_MB: 'lots' })).toBeUndefined();
    expect(checkDumpMemory({ way: 'background', heapUsedBytes: 106 * MiB, limits: [cgroup] }, {}, { AWAITWHAT_DUMP_FORCE: '1' })).toBeUndefined();
    expect(checkDumpMemory({ way: 'background', heapUsedBytes: 106 * MiB, limits: [cgroup] }, { force: true }, {})).toBeUndefined();
  });

  it('a refused dump is valid for the reader and the schema, and view puts its reason first', () => {
    const refusal = checkDumpMemory({ way: 'attached', heapUsedBytes: 106 * MiB, limits: [cgroup], where: 'in the target (pid 7)' }, {}, {})!;
    const dump = refusedDump(refusal, {
      trigger: 'cli',
      process: { pid: 7, argv: ['node', 'app.js'], cwd: '/srv', nodeVersion: 'v20.20.2', platform: 'linux', uptimeMs: 1000 },
      hooks: { installed: false, creationStacks: false },
      source: 'attached',
    });
    const text = serializeDump(dump);
    expect(parseDump(text)).toEqual(JSON.parse(text));
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'dump-v1.schema.json'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    ajv.addFormat('date-time', true);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
    const bad = { ...JSON.parse(text), refused: { ...refusal, heapUsedBytes: -1 } };
    expect(() => parseDump(JSON.stringify(bad))).toThrow(/refused\.heapUsedBytes/);
    expect(validate(bad)).toBe(false);
    const lines = renderTree(dump).split('\n');
    expect(lines[0]).toContain('No heap snapshot');
    expect(lines[1]).toContain('in the target (pid 7)');
  });
});
