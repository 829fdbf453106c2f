import type { ProcessInfo } from '../model.js';

/** The dump's facts about this process, as of now. */
export function currentProcessInfo(): ProcessInfo {
  return {
    pid: process.pid,
    argv: [...process.argv],
    cwd: process.cwd(),
    nodeVersion: process.version,
    platform: process.platform,
    uptimeMs: Math.round(process.uptime() * 1000),
  };
}
