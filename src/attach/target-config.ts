/**
 * An attached dump's configuration (`AWAITWHAT_LONG_WAIT_MS`, `AWAITWHAT_FAN_IN`,
 * `AWAITWHAT_LOOKUP_BUDGET_MS`), read from the *target's* environment as `/proc/<pid>/environ`
 * shows it, not from the environment of the CLI that attaches: the thresholds are the dumped
 * program's, as they would be for a dump it took itself.
 *
 * `/proc/<pid>/environ` is the environment the process was started with: a variable the
 * program set or changed in `process.env` later is not seen (reading the live one would mean
 * running code in the target). Where it cannot be read, the defaults apply.
 */
import { readEnviron } from '../internal/proc.js';
import { dumpConfig, type DumpConfig } from '../snapshot/config.js';

/** The dump configuration of process `pid`, from its initial environment. */
export function targetConfig(pid: number): DumpConfig {
  const environ = readEnviron(pid);
  return dumpConfig(environ ? Object.fromEntries(environ) : {});
}
