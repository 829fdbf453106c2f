/**
 * `node -r awaitwhat/register app.js`: `-r` loads its module with `require()`, and the register
 * is an ES module. Where Node.js can `require()` an ES module (≥ 20.19, 22.12), it is loaded
 * here, synchronously, before the program's first line, exactly as `--import` would. On Node
 * 20.11–20.18 (or with `--no-experimental-require-module`) it can only be `import()`ed: it is
 * then installed on the first turn of the event loop, after the program's synchronous start
 * (docs/api.md says what that misses). Either way a failure is one line on stderr, never a
 * stack trace, and the program runs on.
 *
 * @packageDocumentation
 */
const say = (error: unknown): void => {
  try {
    process.stderr.write(`awaitwhat: the register could not be loaded: ${String((error as Error)?.message ?? error).split('\n', 1)[0]}\n`);
  } catch {
    // stderr is gone: nothing else to tell.
  }
};

if ((process.features as { require_module?: boolean }).require_module === true) {
  try {
    (require('./register-install.js') as typeof import('./register-install.js')).installRegister();
  } catch (error) {
    say(error);
  }
} else {
  import('./register.js').catch(say);
}
