// An application with its own @opentelemetry/api and SDK (installed next to this file by the
// test) and a MeterProvider with an in-memory exporter; awaitwhat's exporter is started and the
// metrics collected are printed as `name value` lines. `--no-provider` skips the provider.
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { enableMetrics, registerOpenTelemetryMetrics } from 'awaitwhat';

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });
if (!process.argv.includes('--no-provider')) metrics.setGlobalMeterProvider(provider);

enableMetrics();
const stop = await registerOpenTelemetryMetrics();
async function step(i) {
  await null;
  return i;
}
await Promise.all([1, 2, 3].map(step));
await reader.forceFlush();
for (const resource of exporter.getMetrics()) {
  for (const scope of resource.scopeMetrics) {
    for (const metric of scope.metrics) console.log(`${scope.scope.name} ${metric.descriptor.name} ${metric.dataPoints[0]?.value}`);
  }
}
stop();
await provider.shutdown();
console.log('done');
