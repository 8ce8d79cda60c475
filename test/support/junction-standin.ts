/**
 * One local stand-in for Junction's API (local/junction-standin.ts) for the tests
 * of a file or describe block: started before them, reset before each, closed
 * after them. Call it at the top level of the file (or the block).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';

/** The stand-in of the calling file or block (available once its tests run). */
export function useJunctionStandin(): () => JunctionStandin {
  let standin: JunctionStandin | undefined;
  beforeAll(async () => {
    standin = await startJunctionStandin();
  });
  afterAll(async () => {
    await standin?.close();
  });
  beforeEach(async () => {
    await standin?.reset();
  });
  return () => {
    if (standin === undefined) throw new Error('the Junction stand-in is not started: use it in a test');
    return standin;
  };
}
