/**
 * `npm run dynamodb-local -- <command>`
 *
 *   fetch                          download DynamoDB Local into the cache, make its class archive, print its folder
 *   start [--port N] [--data-dir D] start it, print the endpoint, stop on Ctrl-C
 */
import { prepareDynamoDbLocal, startDynamoDbLocal, type StartDynamoDbLocalOptions } from './dynamodb-local';

const USAGE = `usage: npm run dynamodb-local -- fetch
       npm run dynamodb-local -- start [--port <port>] [--data-dir <dir>]`;

class UsageError extends Error {}

function parseStartOptions(args: string[]): StartDynamoDbLocalOptions {
  const options: StartDynamoDbLocalOptions = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if ((flag === '--port' || flag === '--data-dir') && value === undefined) {
      throw new UsageError(`${flag} needs a value`);
    }
    if (flag === '--port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`invalid port: ${value}`);
      options.port = port;
      i++;
    } else if (flag === '--data-dir') {
      options.dataDir = value;
      i++;
    } else {
      throw new UsageError(`unknown option: ${flag}`);
    }
  }
  return options;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'fetch' && rest.length === 0) {
    const started = Date.now();
    const dir = await prepareDynamoDbLocal((line) => console.error(line));
    console.error(`DynamoDB Local ready in the cache (${Date.now() - started} ms)`);
    console.log(dir);
    return;
  }
  if (command === 'start') {
    const local = await startDynamoDbLocal(parseStartOptions(rest));
    console.log(local.endpoint);
    console.error(`DynamoDB Local running (pid ${local.pid}); press Ctrl-C to stop`);
    let stopping = false;
    const shutdown = (): void => {
      if (stopping) return;
      stopping = true;
      local.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error instanceof Error ? error.message : String(error));
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    return;
  }
  throw new UsageError(command === undefined ? 'missing command' : `unknown command: ${argv.join(' ')}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
