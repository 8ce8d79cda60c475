/**
 * A Lambda execution environment for one bundle, as Lambda's Node runtime runs
 * it: plain node, no loader, the function's directory as it was deployed, the
 * handler module imported once (the init, top-level await included), then one
 * invocation at a time with a Lambda-shaped context. Invocations arrive as JSON
 * lines on stdin; outcomes leave as JSON lines on fd 3, so that stdout and
 * stderr stay the function's own (its logs, as CloudWatch would get them).
 *
 * Plain JavaScript on purpose: nothing but node stands between Lambda and the bundle.
 */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [entry, exportName] = process.argv.slice(2);
const outcomes = createWriteStream('', { fd: 3 });
const report = (outcome) => outcomes.write(`${JSON.stringify(outcome)}\n`);
const failure = (error) => ({ name: error instanceof Error ? error.name : 'unknown', message: error instanceof Error ? error.message : String(error) });

let handler;
const initStart = performance.now();
try {
  const module = await import(pathToFileURL(entry).href);
  handler = module[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${exportName} is not a function exported by ${entry}`);
  report({ kind: 'ready', initMs: performance.now() - initStart });
} catch (error) {
  report({ kind: 'init_error', ...failure(error) });
  await new Promise((resolve) => outcomes.end(resolve));
  process.exit(1);
}

for await (const line of createInterface({ input: process.stdin })) {
  const { id, event, timeoutMs } = JSON.parse(line);
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: process.env.REHEARSAL_FUNCTION_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: 'rehearsal',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    report({ kind: 'result', id, result: (await handler(event, context)) ?? null });
  } catch (error) {
    report({ kind: 'error', id, ...failure(error) });
  }
}
