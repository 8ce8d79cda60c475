/**
 * Loggers and metrics that keep what a function under test reports, for its
 * test to read: log lines by level, message and fields; log lines as JSON text
 * (what a check for a leak reads); metrics summed by name.
 */
import type { LogSink } from '../../functions/shared/observability';

/** A logger keeping each line's level, message and fields (the first extra argument, or none). */
export function recordingLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: unknown, ...extra: unknown[]): void =>
      void lines.push({ level, message: String(message), fields: (extra[0] ?? {}) as Record<string, unknown> });
  const logger: LogSink = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** A logger keeping each info, warn and error line's arguments as JSON text (debug dropped). */
export function jsonLogger() {
  const logs: string[] = [];
  const keep = (...args: unknown[]) => void logs.push(JSON.stringify(args));
  return { logs, logger: { debug: () => undefined, info: keep, warn: keep, error: keep } };
}

/** Metrics summed by name, never published. */
export function recordingMetrics() {
  const counts = new Map<string, number>();
  return { counts, addMetric: (name: string, _unit: unknown, value: number) => void counts.set(name, (counts.get(name) ?? 0) + value), publishStoredMetrics: () => undefined };
}
