/**
 * Small measuring helpers shared by the benchmark sections.
 */

/** The p-th percentile (0..100) of the samples, nearest rank; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Rounds for the report (figures are noisy beyond this). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}


/**
 * Swallows stdout while `work` runs: the handlers log (Powertools JSON lines and
 * EMF) as they do in Lambda, which is part of their cost, but a benchmark run
 * would otherwise print tens of thousands of lines. Returns the lines written.
 */
export async function muted<T>(work: () => Promise<T>): Promise<{ value: T; lines: number }> {
  const write = process.stdout.write.bind(process.stdout);
  let lines = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const char of text) if (char === '\n') lines++;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await work(), lines };
  } finally {
    process.stdout.write = write;
  }
}

/** Prints progress to stderr, so that stdout holds only the final table. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** One figure over another, rounded for the report; NaN when the other is 0. */
export function ratio(ours: number, theirs: number): number {
  return theirs === 0 ? Number.NaN : round(ours / theirs, 2);
}
