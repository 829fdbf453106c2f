/**
 * Orders strings by their UTF-16 code units, the same on every machine and in every locale.
 *
 * Dump order must not depend on where a dump is taken (`localeCompare` follows the host's
 * ICU data and locale), so every place that sorts text for the dump's canonical order uses this.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
