/**
 * Which tracker (or table) a command talks to, from the options and the
 * environment: the local tracker by default, a deployed API with `--api <url>`,
 * or a deployed stack's outputs with `--stack <name>`. Deployed targets are
 * signed with SigV4 from the standard AWS credential chain.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { CliDeps, GlobalOptions } from './command';
import { CliError, EXIT, usageError } from './errors';
import { awsFailure } from './aws';
import { createSigner, regionOfApiUrl } from './sigv4';
import type { TrackerTarget } from './tracker-client';
import { ConfigError } from '../functions/shared/config';
import { dynamodbEndpointSetting } from '../local/dynamodb-endpoint';
import { resolveTrackerUrl, type TrackerLocation } from '../local/tracker-url';

/**
 * The local tracker's URL: TRACKER_URL, else http://127.0.0.1:${PORT:-3000},
 * where `npm start` listens (CONTRACT §5, §6), by the one rule of local/tracker-url.ts.
 */
export function localTrackerLocation(env: NodeJS.ProcessEnv): TrackerLocation {
  return asUsageError(() => resolveTrackerUrl(env));
}

/** The local DynamoDB the CLI reads (AWS_ENDPOINT_URL_DYNAMODB or DYNAMODB_ENDPOINT, by local/dynamodb-endpoint.ts). */
function localEndpointOf(env: NodeJS.ProcessEnv): { endpoint: string; setting: string } | undefined {
  return asUsageError(() => dynamodbEndpointSetting(env));
}

/** A setting's ConfigError as the CLI's usage error (exit 2), worded the same. */
function asUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(error.message.replace(/^invalid configuration: /, ''));
    throw error;
  }
}

export function localTrackerUrl(env: NodeJS.ProcessEnv): string {
  return localTrackerLocation(env).url;
}

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function assertOneTarget(globals: GlobalOptions): void {
  if (globals.api !== undefined && globals.stack !== undefined) throw usageError('use either --api or --stack, not both');
}

/** The tracker for a command; `localOnly` refuses --api/--stack with the command's name. */
export async function resolveTracker(globals: GlobalOptions, deps: CliDeps, command: { name: string; localOnly: boolean }): Promise<TrackerTarget> {
  assertOneTarget(globals);
  if (globals.api === undefined && globals.stack === undefined) {
    const baseUrl = localTrackerUrl(deps.env);
    return { kind: 'local', baseUrl, label: `the local tracker at ${baseUrl}` };
  }
  if (command.localOnly) {
    throw usageError(`\`${command.name}\` works only with the local tracker (\`npm start\`): drop --api/--stack (see \`redraw-tracker ${command.name} --help\`)`);
  }
  let url: URL;
  let label: string;
  let stackRegion: string | undefined;
  if (globals.api !== undefined) {
    const parsed = parseUrl(globals.api);
    if (!parsed) throw usageError(`--api must be the API's https URL (the stack's ApiUrl output), not ${JSON.stringify(globals.api)}`);
    url = parsed;
    label = `the API at ${stripSlash(url.href)}`;
  } else {
    const stackName = globals.stack!;
    const stack = await deps.aws.describeStack({ stackName, region: globals.region, profile: globals.profile });
    const apiUrl = stack.outputs.ApiUrl ? parseUrl(stack.outputs.ApiUrl) : undefined;
    if (!apiUrl) throw new CliError(EXIT.usage, `stack ${stackName} in ${stack.region} has no ApiUrl output: is it a redraw-tracker stack? (see docs/deploy.md)`);
    url = apiUrl;
    stackRegion = stack.region;
    label = `stack ${stackName} (${stripSlash(url.href)})`;
  }
  // The URL's own region is the one API Gateway checks; then --region, the stack's, the standard chain.
  const region = regionOfApiUrl(url) ?? globals.region ?? stackRegion ?? (await deps.aws.defaultRegion(globals.profile));
  if (!region) throw usageError(`cannot tell the region of ${url.host}: pass --region (or set AWS_REGION)`);
  return {
    kind: 'aws',
    baseUrl: stripSlash(url.href),
    label,
    region,
    signer: createSigner({ credentials: deps.aws.credentials(globals.profile), region }),
  };
}

/** Where quarantined webhooks are read: the table itself (they have no HTTP route). */
export interface TableTarget {
  tableName: string;
  label: string;
  clientConfig: DynamoDBClientConfig;
}

/** The local table as `npm start` names it by default. */
const LOCAL_TABLE_NAME = 'redraw-tracker';

export async function resolveTable(globals: GlobalOptions, deps: CliDeps, command: { name: string }): Promise<TableTarget> {
  assertOneTarget(globals);
  const env = deps.env;
  if (globals.api !== undefined) {
    throw usageError(`\`${command.name}\` reads the tracker's table, not its API: use --stack <name> instead of --api`);
  }
  if (globals.stack !== undefined) {
    const stack = await deps.aws.describeStack({ stackName: globals.stack, region: globals.region, profile: globals.profile });
    const tableName = stack.outputs.TableName;
    if (!tableName) throw new CliError(EXIT.usage, `stack ${globals.stack} in ${stack.region} has no TableName output: is it a redraw-tracker stack?`);
    return {
      tableName,
      label: `table ${tableName} of stack ${globals.stack} (${stack.region})`,
      clientConfig: { region: stack.region, credentials: deps.aws.credentials(globals.profile) },
    };
  }
  const local = localEndpointOf(env);
  const tableName = env.TABLE_NAME?.trim() || undefined;
  if (local) {
    const { endpoint, setting } = local;
    if (!parseUrl(endpoint)) throw usageError(`${setting} must be an http(s) URL such as http://127.0.0.1:8000, not ${JSON.stringify(endpoint)}`);
    const name = tableName ?? LOCAL_TABLE_NAME;
    return {
      tableName: name,
      label: `table ${name} at ${endpoint}`,
      // DynamoDB Local accepts any credentials, but the SDK signs every request.
      clientConfig: { endpoint, region: env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    };
  }
  if (tableName) {
    const region = globals.region ?? (await deps.aws.defaultRegion(globals.profile));
    if (!region) throw usageError('no AWS region for TABLE_NAME: pass --region or set AWS_REGION (or use --stack <name>)');
    return { tableName, label: `table ${tableName} (${region})`, clientConfig: { region, credentials: deps.aws.credentials(globals.profile) } };
  }
  throw usageError(
    `\`${command.name}\` reads the tracker's table: for \`npm start\` set DYNAMODB_ENDPOINT to the "DynamoDB:" address its banner prints; on AWS use --stack <name>`,
  );
}

/**
 * What a command that reads the table says when it cannot: the table missing,
 * `npm start`'s DynamoDB not answering at DYNAMODB_ENDPOINT, or AWS's refusal.
 */
export function tableFailure(error: unknown, target: TableTarget): CliError {
  if (error instanceof CliError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  if (name === 'ResourceNotFoundException') return new CliError(EXIT.usage, `${target.label} does not exist: check TABLE_NAME (or --stack)`);
  if (target.clientConfig.endpoint !== undefined) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : name;
    return new CliError(EXIT.unreachable, `cannot read ${target.label} (${code}): is \`npm start\` running, and DYNAMODB_ENDPOINT the "DynamoDB:" address its banner prints?`);
  }
  return awsFailure(error, `reading ${target.label}`);
}
