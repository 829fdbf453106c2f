// Mode "awaitwhat-metrics": the register (loaded first by the mode's flags) plus
// `enableMetrics()` with default options — task counts, step and wait histograms
// (two `performance.now()` reads per task step), event-loop delay monitor, slow steps
// over 100 ms (no stacks). Loaded with
//   node --import dist/src/register.js --import ./bench/modes/awaitwhat-metrics.mjs workload.mjs
import { enableMetrics } from '../../dist/src/index.js';

enableMetrics();
