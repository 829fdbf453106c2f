// exit: 0
// AbortController and AbortSignal: reasons, listeners, any(), throwIfAborted, abortable work.
const ac = new AbortController();
const log = [];
ac.signal.addEventListener('abort', () => log.push(`abort event: ${ac.signal.reason.message}`), { once: true });
async function work(signal) {
  for (let i = 0; ; i++) {
    signal.throwIfAborted();
    await new Promise((r) => setImmediate(r));
    if (i === 2) ac.abort(new Error('stop'));
  }
}
try { await work(ac.signal); } catch (e) { log.push(`work stopped: ${e.message}`); }
if (AbortSignal.any) {
  const a = new AbortController();
  const both = AbortSignal.any([a.signal, new AbortController().signal]);
  a.abort('why');
  log.push(`any: ${both.aborted} ${both.reason}`);
}
const pre = AbortSignal.abort();
log.push(`${pre.reason.name} ${pre.aborted}`);
console.log(log.join('\n'));
