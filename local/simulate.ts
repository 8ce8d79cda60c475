/**
 * `npm run simulate`: sends a realistic, signed Junction redraw flow (and a few
 * other orders) to a running tracker, shuffled and retried as Svix delivers
 * them, then prints the timeline and the tracker's view. Settings:
 * JUNCTION_WEBHOOK_SECRET (required: the secret `npm start` printed),
 * TRACKER_URL or PORT (where `npm start` listens: local/tracker-url.ts),
 * SIMULATE_SEED (optional).
 */
import * as z from 'zod';
import { svixSecretKey } from '../functions/core/svix';
import { ConfigError, parseEnv } from '../functions/shared/config';
import { runSimulation, SimulationError } from './simulator';
import { assertTrackerAnswers, resolveTrackerUrl, TrackerUnreachableError } from './tracker-url';

const SimulateSettings = z.object({
  JUNCTION_WEBHOOK_SECRET: z
    .string({ error: 'is required: copy the secret `npm start` printed (JUNCTION_WEBHOOK_SECRET=whsec_... npm run simulate)' })
    .trim()
    // With several (rotation), the first one signs.
    .transform((value) => value.split(',')[0]!.trim())
    .refine((secret) => svixSecretKey(secret) !== null, 'must be a whsec_<base64> secret'),
  SIMULATE_SEED: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional(),
});

async function main(): Promise<number> {
  const settings = parseEnv(SimulateSettings, process.env);
  const tracker = resolveTrackerUrl(process.env);
  await assertTrackerAnswers(tracker);
  const result = await runSimulation({
    trackerUrl: tracker.url,
    secret: settings.JUNCTION_WEBHOOK_SECRET,
    seed: settings.SIMULATE_SEED ?? Math.floor(Math.random() * 2 ** 32),
    print: (line) => console.log(line),
  });
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof SimulationError || error instanceof TrackerUnreachableError) {
      console.error(`simulate: ${error.message}`);
    } else {
      console.error('simulate: failed:', error instanceof Error ? error.message : error);
    }
    process.exit(1);
  },
);
