// Mode "awaitwhat-metrics": the register (loaded first by the mode's flags) plus
// `enableMetrics()` with default options — task counts, step and wait histograms
// (sampled: about 1 step in 64 timed with `performance.now()`), event-loop delay monitor,
// slow steps over 100 ms among timed steps (no stacks). Loaded with
//   node --import dist/src/register.js --import ./bench/modes/awaitwhat-metrics.mjs workload.mjs
import { enableMetrics } from '../../dist/src/index.js';

enableMetrics();
