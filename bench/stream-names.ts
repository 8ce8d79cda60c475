/** The names of the streams issue 76 measures on (named-streams.ts builds them), kept apart so that the bench's settings read them without building any. */
export const STREAM_NAMES = ['section-m', 'guard', 'production-like', 'production-like-quarter', 'retry-heavy'] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** The streams section m runs by default, in order (BENCH_STREAMS picks among them). */
export const SECTION_M_STREAMS: readonly StreamName[] = ['section-m', 'guard', 'production-like', 'retry-heavy'];

/** Names from a comma-separated list (BENCH_STREAMS): each must be a stream's name. */
export function parseStreamNames(list: string): StreamName[] {
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) if (!(STREAM_NAMES as readonly string[]).includes(name)) throw new Error(`unknown stream ${name} (streams: ${STREAM_NAMES.join(', ')})`);
  return names as StreamName[];
}
