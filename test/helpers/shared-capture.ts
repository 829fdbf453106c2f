/**
 * One child process, dumped once, for every test of a file that reads the same program's dump:
 * a dump costs a process start and a heap snapshot (about a second of CPU), and the stress run
 * (`test/stress.sh`) runs two suites on two cores, so every dump taken twice is time the whole
 * suite waits. The first test that asks starts the capture; the others await the same one, so
 * any test still runs alone (`-t`) and still gets a real dump.
 */

/**
 * Wraps `capture` so that each distinct `key` is captured at most once per test file.
 * A failed capture is shared too: every test that reads it fails with the same error.
 * Callers must not mutate what they get (it is the same object for every test).
 */
export function captureOnce<T>(capture: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const taken = new Map<string, Promise<T>>();
  return (key) => {
    let pending = taken.get(key);
    if (pending === undefined) {
      pending = capture(key);
      taken.set(key, pending);
    }
    return pending;
  };
}
