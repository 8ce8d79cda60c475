/**
 * "Did you mean": the closest known word to a mistyped one, by edit distance
 * (insertions, deletions, substitutions and swaps of two neighbouring letters,
 * each one edit: `snoze` is one edit from `snooze`, `cak` one from `ack`).
 */

/** The number of edits from `a` to `b` (optimal string alignment: Levenshtein plus adjacent swaps). */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: edits from the first i letters of a to the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate `word` is most likely a typo of: the nearest, if it is at most
 * one edit away for words of up to four letters and two beyond (further, a
 * suggestion is more often wrong than helpful); the first listed on a tie.
 * Undefined when none is that near.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const allowed = typed.length <= 4 ? 1 : 2;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
