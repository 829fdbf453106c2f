// recordSlowStepsOnSpans with the real @opentelemetry/api and an AsyncLocalStorage context
// manager (what @opentelemetry/context-async-hooks does), spans faked: prints what each span got.
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { recordSlowStepsOnSpans } from 'awaitwhat';

class AlsContextManager {
  als = new AsyncLocalStorage();
  active() { return this.als.getStore() ?? ROOT_CONTEXT; }
  with(ctx, fn, thisArg, ...args) { return this.als.run(ctx, () => fn.call(thisArg, ...args)); }
  bind(_ctx, target) { return target; }
  enable() { return this; }
  disable() { return this; }
}
const order = process.argv[2] ?? 'tracing-first';
if (order === 'tracing-first') context.setGlobalContextManager(new AlsContextManager());
const hook = await recordSlowStepsOnSpans({ thresholdMs: 15 });
if (order === 'hook-first') context.setGlobalContextManager(new AlsContextManager());

const spans = {};
function fakeSpan(name) {
  const s = { name, events: [], attributes: {} };
  spans[name] = s;
  return {
    spanContext: () => ({ traceId: '0'.repeat(32), spanId: '1'.repeat(16), traceFlags: 1 }),
    addEvent(event, attrs) { s.events.push({ event, ms: Math.round(attrs['awaitwhat.step.duration_ms']) }); return this; },
    setAttribute(key, value) { s.attributes[key] = Math.round(value); return this; },
    isRecording: () => true,
  };
}
const spin = (ms) => { const t0 = performance.now(); while (performance.now() - t0 < ms); };
async function handler(ms) { await null; spin(ms); await null; spin(ms); }
await Promise.all([
  context.with(trace.setSpan(context.active(), fakeSpan('slow')), () => handler(25)),
  context.with(trace.setSpan(context.active(), fakeSpan('fast')), () => handler(1)),
]);
hook.disable();
console.log(JSON.stringify(spans));
