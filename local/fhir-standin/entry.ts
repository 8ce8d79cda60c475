/**
 * `npm run fhir-server` (package.json): runs the FHIR stand-in's command line
 * (./cli.ts, which defines it without running it, so that a test can import it)
 * on this process's argv, environment and streams.
 */
import { fhirServer } from './cli';
import { runStandinCommand } from '../standin/cli';

runStandinCommand(fhirServer);
