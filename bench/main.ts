/**
 * `npm run bench`: every figure of bench/README.md in one run (bench/run.ts),
 * or, asked `--help`, the sections and about how long each takes, running
 * nothing; any other argument is a usage error (exit 2), so that a mistyped
 * flag never starts a long run. The run's modules load only for a run.
 */
import { benchCommandLine } from './args';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function main(): Promise<void> {
  const answer = benchCommandLine(process.argv.slice(2), process);
  if (answer !== 'run') {
    process.exitCode = answer;
    return;
  }
  const { runBench } = await import('./run');
  await runBench();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
