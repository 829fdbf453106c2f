/**
 * Reading `NODE_OPTIONS` as Node.js does, for whoever looks at another process's options: the
 * CLI (does the target preload the register?) and attach mode (which inspector port?). One
 * tokenizer, so that both see the same words in the same variable.
 */

/**
 * Splits `NODE_OPTIONS` into words as Node does (`ParseNodeOptionsEnvVar`): on spaces, double
 * quotes grouping (`--require "a b.js"` is two words, the second `a b.js`), a backslash inside
 * quotes taking the next character as is.
 */
export function splitNodeOptions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted && i + 1 < text.length) {
      current += text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      has = true;
    } else if (c === ' ' && !quoted) {
      if (has || current) out.push(current);
      current = '';
      has = false;
    } else {
      current += c;
    }
  }
  if (has || current) out.push(current);
  return out;
}
