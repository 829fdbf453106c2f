/**
 * Real dumps have the model's shape: programs exercising every node kind dump themselves under
 * the register, and each dump validates against the schema, keeps on every node only the
 * fields of its kind (NODE_FIELDS), and reads back through parseDump to the same dump: the
 * reader keeps exactly what the snapshotter writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { NODE_FIELDS, NODE_KINDS, isTaskKind, nodeShape, type Dump } from '../src/model.js';
import { parseDump } from '../src/serialize/json.js';
import { ROOT } from './helpers/samples.js';
import { dumpOf } from './support/constructs.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
ajv.addFormat('date-time', true);
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'dump-v1.schema.json'), 'utf8')) as object);

const PROGRAMS = ['combinators', 'then-chain', 'async-generator', 'top-level-await', 'returned-promise'];

describe('dumps of real programs have the model\'s shape', () => {
  it('every kind appears, each node carries only its kind\'s fields, the schema accepts, the reader keeps every field', { timeout: 120_000 }, async () => {
    const dumps: Dump[] = [];
    for (const name of PROGRAMS) dumps.push(await dumpOf(name, { AWAITWHAT_STACKS: '1' }));
    const kinds = new Set<string>();
    for (const [i, dump] of dumps.entries()) {
      const label = PROGRAMS[i]!;
      expect(validate(dump), `${label}: ${JSON.stringify(validate.errors)}`).toBe(true);
      for (const node of dump.nodes) {
        kinds.add(node.kind);
        const allowed: readonly string[] = NODE_FIELDS[nodeShape(node.kind)];
        expect(Object.keys(node).filter((k) => !allowed.includes(k)), `${label} ${node.kind} ${node.name}`).toEqual([]);
        if (!isTaskKind(node.kind)) expect(node.state).toBe('pending');
      }
      // The reader keeps every field the snapshotter wrote (its key order is the model's).
      expect(parseDump(JSON.stringify(dump))).toEqual(dump);
    }
    expect([...kinds].sort()).toEqual([...NODE_KINDS].sort());
  });
});
