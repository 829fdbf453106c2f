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

/**
 * Makes a DOT text comparable across runs: as {@link normaliseTree}, plus dates, time ranges,
 * label margins (a range of times has a dash, and the margin made for it) and node ids — a box
 * named by a node's id (`"n12"`, a worker's `"t1/n12"`) becomes `"b<k>"` (`"t1/b<k>"`), k in
 * order of first appearance.
 */
export function normaliseDot(dot: string): string {
  const ids = new Map<string, string>();
  return normaliseTree(dot)
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, '<date>')
    .replace(/<t>–<t>/g, '<t>')
    .replace(/, margin="[^"]*"/g, '')
    .replace(/"(t\d+\/)?n\d+"/g, (id, thread: string | undefined) => {
      if (!ids.has(id)) ids.set(id, `"${thread ?? ''}b${ids.size + 1}"`);
      return ids.get(id) as string;
    });
}
