/**
 * The simulated story most browser files start from (seed 42), made once per
 * test run and copied for each file (issue 87): one `npm start` on a DATA_DIR
 * of the run's, the simulator run against it to its end and the stream
 * settled, then stopped; each file's own `npm start` starts on a copy of that
 * folder (its tables, and where its stream readers stood: README `DATA_DIR`), so
 * it sees the same follow-ups, orders and history a simulation of its own
 * would have left, and whatever it changes is its own. Twelve files simulated
 * the story each (about 8-10 s of CPU apiece: npm start, its JVM and the
 * simulator); now one does, and the others wait for it.
 *
 * The first file of the run to ask makes it (a claim: an exclusive mkdir in the
 * run's folder, so files in other workers wait); a failed making is written
 * down, and every file that asks then fails with its reason. Outside a test run
 * (no run folder) there is no story to share: the caller simulates its own.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_VARIABLE } from './suite-cpu';

/** How long a file waits for another's making of the story (it takes 10-30 s; a busy machine more). */
const WAIT_MS = 240_000;

/**
 * A copy of the story's data folder for one tracker (removed by `release`),
 * made first by `make(dataDir)` when no file of this run has; null outside a test run.
 */
export async function storyCopy(make: (dataDir: string) => Promise<void>): Promise<{ dataDir: string; release: () => void } | null> {
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir === undefined) return null;
  mkdirSync(runDir, { recursive: true });
  const story = join(runDir, 'browser-story-seed-42');
  await made(story, make);
  const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'redraw-browser-story-'));
  cpSync(story, dataDir, { recursive: true });
  return { dataDir, release: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Resolves once `story` holds the story: made here under the claim, or by another file. */
async function made(story: string, make: (dataDir: string) => Promise<void>): Promise<void> {
  const failed = `${story}.failed`;
  if (claim(`${story}.claim`)) {
    const making = `${story}.making`;
    try {
      mkdirSync(making, { recursive: true });
      await make(making);
      renameSync(making, story);
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
    return;
  }
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(story)) {
    if (existsSync(failed)) throw new Error(`the browser files' simulated story could not be made:\n${readFileSync(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the browser files' simulated story was not made within ${WAIT_MS / 1000} s (${story})`);
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

function claim(path: string): boolean {
  try {
    mkdirSync(path, { recursive: false });
    return true;
  } catch {
    return false;
  }
}
