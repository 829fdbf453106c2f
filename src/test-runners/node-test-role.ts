/**
 * Which process of a `node --test` run this is.
 *
 * @internal
 */

/** `file`: runs a test file; `runner`: the `node --test` process itself; `none`: neither. */
export type NodeTestRole = 'file' | 'runner' | 'none';

/**
 * The runner spawns each test file's process with `NODE_TEST_CONTEXT` set (`child-v8`) and
 * without `--test` in its `execArgv`.
 */
export function nodeTestRole(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): NodeTestRole {
  if (env.NODE_TEST_CONTEXT) return 'file';
  if (execArgv.includes('--test')) return 'runner';
  return 'none';
}
