// Preload for host-safety tests: a hook with all four callbacks, location capture and metrics
// with slow-step stacks — the heaviest monitoring setup — enabled before the program starts.
import { createHook, enableMetrics } from 'awaitwhat';

const sink = { n: 0 };
createHook(
  {
    taskCreated() { sink.n++; },
    taskEntered() { sink.n++; },
    taskLeft() { sink.n++; },
    taskSettled() { sink.n++; },
  },
  { locations: process.env.MONITOR_LOCATIONS === '1' },
).enable();
enableMetrics({ slowStepThresholdMs: 0, slowStepStacks: true, context: () => ({ n: sink.n }) });
