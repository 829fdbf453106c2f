/**
 * Places in the program's source, as a dump gives them: the bottom of the model, which
 * `model.ts` and `model-metrics.ts` both use (`model.ts` re-exports them).
 *
 * @packageDocumentation
 */

/**
 * A place in the program's source. Lines and columns are **1-based**, as editors and stack
 * traces show them (V8's inspector reports 0-based; the snapshotter converts).
 */
export interface SourceLocation {
  /** The script's URL as V8 knows it: `file:///…` for files, `node:…` for Node's own modules. */
  url: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** One frame of a captured stack (only present when creation stacks were enabled). */
export interface StackFrame extends SourceLocation {
  /** Function name as V8 reports it; empty for anonymous code. */
  functionName: string;
}
