/**
 * Verdict wording: the sentence a person reads for each finding of `findings.ts`. Names and
 * places come from the display helpers every view shares, so a verdict names a node as the
 * tree does.
 */
import type { GraphNode, LostAwaits } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';
import { displayPath } from '../text/paths.js';
import type { Finding } from './findings.js';

/** A node as verdicts name it: its title and, when known, where it is (`async a (app.js:3:5)`). */
export function nodeLabel(node: GraphNode, cwd: string): string {
  const place = nodePlace(node);
  return place ? `${nodeTitle(node)} (${displayPath(place.location.url, cwd)}:${place.location.line}:${place.location.column})` : nodeTitle(node);
}

/**
 * The sentence for one finding (not yet made terminal-safe).
 *
 * @param finding - what was found
 * @param byId - the graph's nodes by id
 * @param cwd - the dumped process's cwd, for relative paths
 */
export function wordFinding(finding: Finding, byId: ReadonlyMap<string, GraphNode>, cwd: string): string {
  const label = (n: GraphNode): string => nodeLabel(n, cwd);
  const nodes = (ids: readonly string[]): GraphNode[] => ids.map((id) => byId.get(id)!).filter(Boolean);
  switch (finding.kind) {
    case 'cycle': {
      const members = nodes(finding.nodes);
      return `deadlock: ${[...members.map(label), nodeTitle(members[0]!)].join(' → ')}`;
    }
    case 'never-settles': {
      if (finding.lost !== undefined) return wordLostAwaits(finding.lost, cwd);
      const waiters = nodes(finding.waiters);
      const who = waiters.length === 1 ? label(waiters[0]!) : `${waiters.length} waiters`;
      return `${who} waits on a promise that can never settle (its resolve and reject are unreachable)`;
    }
    case 'stall':
      return finding.cause === 'no-event-sources'
        ? 'nothing will ever run again: no timer, I/O, child process or other event source is pending'
        : 'nothing can wake any waiting task: every wait ends in a cycle or in a promise that can never settle';
    case 'blocked-loop': {
      const top = finding.top;
      const where = top ? ` in ${top.functionName || '<anonymous>'} (${displayPath(top.url, cwd)}:${top.line}:${top.column})` : '';
      return `the event loop is blocked by synchronous JavaScript${where}${finding.blockedMs > 0 ? ` for at least ${formatDuration(finding.blockedMs)}` : ''}`;
    }
    case 'long-wait': {
      const more = finding.nodes.length > 1 ? `${finding.nodes.length} tasks have waited over ${formatDuration(finding.thresholdMs)}; longest: ` : '';
      return `${more}${label(byId.get(finding.nodes[0]!)!)} waiting ${formatDuration(finding.longestMs)}`;
    }
    case 'fan-in': {
      const node = byId.get(finding.node)!;
      const what = node.leaf ? `${label(node)}: ${node.leaf.description}` : label(node);
      return `${finding.waiters} waiters on ${what}`;
    }
  }
}

/**
 * The lost awaits' sentence: how many, the longest wait and, with creation stacks, where
 * (`3 async functions were abandoned while awaiting a promise nothing could settle (collected):
 * longest waited 12s at app.js:14`).
 */
export function wordLostAwaits(lost: LostAwaits, cwd: string): string {
  const first = lost.longest[0];
  const kinds = new Set(lost.longest.map((l) => l.kind));
  const what = kinds.size === 1 && kinds.has('await')
    ? (lost.count === 1 ? 'async function was' : 'async functions were')
    : (lost.count === 1 ? 'wait (an await or a .then callback) was' : 'waits (awaits or .then callbacks) were');
  let text = `${lost.count} ${what} abandoned while awaiting a promise nothing could settle (collected)`;
  if (first === undefined) return text;
  text += `: longest waited ${formatDuration(first.waitedMs)}`;
  const at = first.awaitLocation;
  if (at) text += ` at ${displayPath(at.url, cwd)}:${at.line}`;
  else text += ' (AWAITWHAT_STACKS=1 shows where)';
  return text;
}
