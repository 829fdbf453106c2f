/**
 * Makes a rendered tree comparable across runs: what changes from run to run (pids, times,
 * dates, argv paths) and from one Node.js build to another (positions inside Node's own
 * modules) is replaced by placeholders.
 */
export function normaliseTree(tree: string): string {
  return tree
    .replace(/pid \d+/g, 'pid <pid>')
    .replace(/node v\d+\.\d+\.\d+/g, 'node <version>')
    .replace(/^(\s*argv\s+).*$/m, '$1<argv>')
    .replace(/^(\s*cwd\s+).*$/m, '$1<cwd>')
    .replace(/^(\s*taken\s+).*$/m, '$1<taken>')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<t>')
    .replace(/\b\d+m \d+s\b/g, '<t>')
    .replace(/(node:[\w/]+):\d+:\d+/g, '$1:<L>:<C>')
    .replace(/(127\.0\.0\.1):\d+/g, '$1:<port>');
}
