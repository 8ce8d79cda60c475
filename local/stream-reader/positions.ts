/**
 * Where a stream reader stands, kept across restarts: for each shard, the
 * sequence number of the last record it delivered (its checkpoint). On AWS the
 * event source mapping keeps this for the function; locally, `npm start` with
 * DATA_DIR keeps its tables across a restart, and without this its readers
 * would begin again at the oldest record the stream holds (up to a day of
 * records delivered a second time: events published again, work redone).
 *
 * A file per reader, written whole after each batch (a new file renamed over
 * the old: never half-written), bound to the stream's ARN: a table made anew
 * has a new stream, and positions of another stream are not read. A missing
 * or unreadable file is no positions (the reader starts where it would have).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as z from 'zod';

export interface StreamPositions {
  /** Each known shard's last delivered sequence number. */
  read(): Readonly<Record<string, string>>;
  /** Keeps `checkpoints` (each shard's last delivered sequence number) for the next start. */
  write(checkpoints: Readonly<Record<string, string>>): void;
}

const STORED = z.object({ streamArn: z.string(), shards: z.record(z.string(), z.string().regex(/^\d{1,40}$/)) });

/** Positions of `streamArn`'s reader kept in `file`. */
export function filePositions(file: string, streamArn: string): StreamPositions {
  return {
    read: () => {
      const stored = STORED.safeParse(parseJson(file));
      return stored.success && stored.data.streamArn === streamArn ? stored.data.shards : {};
    },
    write: (checkpoints) => {
      const next = `${file}.next`;
      writeFileSync(next, `${JSON.stringify({ streamArn, shards: checkpoints })}\n`);
      renameSync(next, file);
    },
  };
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
