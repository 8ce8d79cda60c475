/**
 * `npm run junction-api` (package.json): runs the Junction stand-in's command
 * line (./cli.ts, which defines it without running it, so that a test can import
 * it) on this process's argv, environment and streams.
 */
import { junctionApi } from './cli';
import { runStandinCommand } from '../standin/cli';

runStandinCommand(junctionApi);
