/**
 * The snapshotter and the dump writer, loaded the first time a trigger fires.
 *
 * The register is loaded into every process it is used with, long before any dump; keeping the
 * snapshotter, the JSON serializer and their dependencies out of it until then keeps the
 * register's own footprint small (measured with bench/churn.mjs). Loaded synchronously
 * (`require` of an ES module, Node ≥ 20.19) because the exit trigger runs in an `exit`
 * listener, where nothing asynchronous can happen.
 */
import { createRequire } from 'node:module';

type Snapshotter = typeof import('../snapshot/snapshotter.js');
type DumpFile = typeof import('./dump-file.js');
type Background = typeof import('../background/index.js');

const load = createRequire(import.meta.url);
let modules: { snapshotter: Snapshotter; dumpFile: DumpFile; background: Background } | undefined;

/** `takeSnapshot`, `takeSnapshotInBackground` and `writeDumpFile`, loaded on first use. */
export function dumpModules(): { snapshotter: Snapshotter; dumpFile: DumpFile; background: Background } {
  modules ??= {
    snapshotter: load('../snapshot/snapshotter.js') as Snapshotter,
    dumpFile: load('./dump-file.js') as DumpFile,
    background: load('../background/index.js') as Background,
  };
  return modules;
}
