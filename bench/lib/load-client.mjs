// Load generator for the http / fastify workloads. Forked by the workload with
// a clean execArgv (no --import, so the mode under test is NOT active here):
// only the server side is measured. Talks over IPC:
//   parent -> {url, connections, warmupSec, durationSec}
//   child  -> {ok:true, warmup:{…}, measured:{…}} | {ok:false, error}
// Exits when the parent disconnects, and by itself after a hard deadline.
import autocannon from 'autocannon';

const hard = setTimeout(() => process.exit(4), 60_000);
hard.unref();
process.on('disconnect', () => process.exit(0));

function run(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      { ...opts, renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    // autocannon.track is not used: nothing is printed
    inst.on('error', reject);
  });
}

function summary(r) {
  return {
    requests: r.requests.total,
    durationSec: r.duration,
    rps: r.requests.total / r.duration,
    latencyP50ms: r.latency.p50,
    latencyP99ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

process.once('message', async ({ url, connections, warmupSec, durationSec }) => {
  try {
    const common = { url, connections, pipelining: 1, timeout: 10 };
    const warm = await run({ ...common, duration: warmupSec });
    const meas = await run({ ...common, duration: durationSec });
    process.send({ ok: true, warmup: summary(warm), measured: summary(meas) });
  } catch (err) {
    process.send({ ok: false, error: String(err?.stack ?? err) });
  }
});
