/**
 * The property readers of src/snapshot/heap-values.ts (what the leaf descriptions, the leaf
 * holders and the open-request finder read objects with), on a real heap snapshot: a child
 * process builds one object with known fields and snapshots itself with the parameters every
 * dump uses (`captureNumericValue`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeapGraph } from '../src/snapshot/heap-graph.js';
import { booleanProperty, numberProperty, objectProperty, stringProperty } from '../src/snapshot/heap-values.js';

const PROGRAM = `
const inspector = require('node:inspector');
const fs = require('node:fs');
class Inner {}
class Probe {
  constructor(word) {
    this.yes = true;
    this.no = false;
    this.nothing = null;
    this.count = 42.5;
    this.big = 1e9 + 7;
    this.small = 3;
    this.flat = 'plain text';
    this.joined = word + ' and ' + word.repeat(20);
    this.inner = new Inner();
    this.list = [1, 2];
  }
}
globalThis.probe = new Probe(process.argv[2]);
const session = new inspector.Session();
session.connect();
const chunks = [];
session.on('HeapProfiler.addHeapSnapshotChunk', (m) => chunks.push(m.params.chunk));
session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: true }, (err) => {
  if (err) throw err;
  fs.writeFileSync(process.argv[1], chunks.join(''));
  session.disconnect();
});
`;

let dir: string;
let heap: HeapGraph;
let probe: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'awaitwhat-heap-values-'));
  const file = join(dir, 'probe.heapsnapshot');
  await promisify(execFile)(process.execPath, ['-e', PROGRAM, file, 'word']);
  heap = HeapGraph.parse(readFileSync(file, 'utf8'));
  const probes: number[] = [];
  for (let i = 0; i < heap.nodeCount; i++) if (heap.type(i) === 'object' && heap.name(i) === 'Probe') probes.push(i);
  expect(probes).toHaveLength(1);
  probe = probes[0]!;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('heap-values property readers', () => {
  it('booleanProperty: true and false; null, a number, an object or a missing field are not booleans', () => {
    expect(booleanProperty(heap, probe, 'yes')).toBe(true);
    expect(booleanProperty(heap, probe, 'no')).toBe(false);
    for (const name of ['nothing', 'count', 'inner', 'missing']) expect(booleanProperty(heap, probe, name)).toBeUndefined();
  });

  it('numberProperty: heap numbers and small integers, as captured', () => {
    expect(numberProperty(heap, probe, 'count')).toBe(42.5);
    expect(numberProperty(heap, probe, 'big')).toBe(1e9 + 7);
    expect(numberProperty(heap, probe, 'small')).toBe(3);
    for (const name of ['flat', 'inner', 'missing']) expect(numberProperty(heap, probe, name)).toBeUndefined();
  });

  it('stringProperty: flat and concatenated strings; not a string: undefined', () => {
    expect(stringProperty(heap, probe, 'flat')).toBe('plain text');
    expect(stringProperty(heap, probe, 'joined')).toBe(`word and ${'word'.repeat(20)}`);
    for (const name of ['yes', 'count', 'inner', 'missing']) expect(stringProperty(heap, probe, name)).toBeUndefined();
  });

  it('objectProperty: an object, of the class asked for; an array or a primitive is not one', () => {
    const inner = objectProperty(heap, probe, 'inner');
    expect(inner).toBeDefined();
    expect(heap.name(inner!)).toBe('Inner');
    expect(objectProperty(heap, probe, 'inner', 'Inner')).toBe(inner);
    expect(objectProperty(heap, probe, 'inner', 'Other')).toBeUndefined();
    for (const name of ['flat', 'count', 'missing']) expect(objectProperty(heap, probe, name)).toBeUndefined();
  });
});
