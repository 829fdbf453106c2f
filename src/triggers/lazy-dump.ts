/**
 * The snapshotter and the dump writer, loaded the first time a trigger fires.
 *
 * The register is loaded into every process it is used with, long before any dump; keeping the
 * snapshotter, the JSON serializer and their dependencies out of it until then keeps the
 * register's own footprint small (measured with bench/churn.mjs). They must be loadable
 * synchronously, because the exit trigger runs in an `exit` listener, where nothing
 * asynchronous can happen:
 * - Node ≥ 20.19 (and 22.12+) can `require()` an ES module: they are loaded on first use;
 * - Node 20.11–20.18, or `--no-experimental-require-module`, cannot: the register loads them
 *   ahead of time with `import()` ({@link preloadDumpModules}), and `awaitwhat`'s entry point
 *   hands over the ones it has already loaded ({@link provideDumpModules}).
 */
import { createRequire } from 'node:module';
import { SnapshotFailedError } from '../errors.js';

type Snapshotter = typeof import('../snapshot/snapshotter.js');
type DumpFile = typeof import('../serialize/dump-file.js');
type Background = typeof import('../background/index.js');

/** The modules a dump needs. */
export interface DumpModules {
  snapshotter: Snapshotter;
  dumpFile: DumpFile;
  background: Background;
}

const load = createRequire(import.meta.url);
let modules: DumpModules | undefined;
let preloading: Promise<void> | undefined;
let preloadError: unknown;

/**
 * Whether this Node.js can `require()` an ES module without a top-level await: on by default
 * from 20.19 and 22.12, off with `--no-experimental-require-module`; `process.features` has no
 * such flag before 20.19.
 */
export function canRequireEsm(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
}

/** `takeSnapshot`, `takeSnapshotInBackground` and `writeDumpFile`, loaded on first use. */
export function dumpModules(): DumpModules {
  if (modules) return modules;
  if (!canRequireEsm()) {
    const why = preloadError === undefined ? '' : `: ${((preloadError as Error)?.message ?? String(preloadError)).split('\n', 1)[0]}`;
    throw new SnapshotFailedError(
      preloading === undefined
        ? `this Node.js (${process.version}) cannot require() ES modules and the dump modules were not loaded ahead of time; use --import awaitwhat/register or import 'awaitwhat'`
        : `the dump modules are not loaded (yet)${why}`,
    );
  }
  modules = {
    snapshotter: load('../snapshot/snapshotter.js') as Snapshotter,
    dumpFile: load('../serialize/dump-file.js') as DumpFile,
    background: load('../background/index.js') as Background,
  };
  return modules;
}

/**
 * Where `require()` of an ES module is unavailable, starts loading the dump modules now with
 * `import()`, so that a later trigger (the `exit` listener above all) finds them loaded; a
 * no-op elsewhere. Never rejects: a failure is kept and reported by the dump that needs them.
 */
export function preloadDumpModules(): Promise<void> {
  if (modules || canRequireEsm()) return Promise.resolve();
  preloading ??= Promise.all([import('../snapshot/snapshotter.js'), import('../serialize/dump-file.js'), import('../background/index.js')]).then(
    ([snapshotter, dumpFile, background]) => {
      modules ??= { snapshotter, dumpFile, background };
    },
    (error: unknown) => {
      preloadError = error;
    },
  );
  return preloading;
}

/**
 * For an asynchronous dump (SIGUSR2): where the dump modules cannot be `require()`d and are not
 * loaded yet, the load to wait for (started now if the register did not start it).
 */
export function dumpModulesLoading(): Promise<void> | undefined {
  if (modules !== undefined || preloadError !== undefined || canRequireEsm()) return undefined;
  return preloadDumpModules();
}

/** Hands over dump modules that a caller has already loaded (synchronously, at no cost). */
export function provideDumpModules(loaded: DumpModules): void {
  modules ??= loaded;
}
