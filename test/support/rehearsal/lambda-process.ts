/**
 * One deployed function in a fresh Node process (lambda-runner.mjs), with
 * exactly the environment Lambda would give it: the template's variables
 * (resolved), the variables Lambda itself sets, and AWS_ENDPOINT_URL, the one
 * addition, which sends every SDK client to the rehearsal's proxy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { DeployedFunction } from './deployment';

const RUNNER = fileURLToPath(new URL('./lambda-runner.mjs', import.meta.url));

export type Outcome = { kind: 'result'; result: unknown } | { kind: 'error'; name: string; message: string };

export interface LambdaProcess {
  /** How the init ended: ready, or the error that failed it. */
  init: Promise<{ kind: 'ready'; initMs: number } | { kind: 'init_error'; name: string; message: string }>;
  /** One invocation; `timeoutMs` is what the context says remains (the function's timeout by default). */
  invoke(event: unknown, timeoutMs?: number): Promise<Outcome>;
  /** Everything the function wrote to stdout and stderr (its logs). */
  logs(): string;
  stop(): Promise<void>;
}

/** The variables Lambda's Node runtime sets for `fn` (region and the role's credentials included). */
export function lambdaEnvironment(fn: DeployedFunction, region: string, credentials: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: 'rehearsal-session-token',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: fn.codeDir,
    _HANDLER: `${fn.handler.file.replace(/\.mjs$/, '')}.${fn.handler.exportName}`,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // Lambda's runtime is Node 22 or newer, where the SDK does not warn; this machine's Node 20 would.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export function startLambdaProcess(fn: DeployedFunction, environment: Record<string, string>): LambdaProcess {
  const child: ChildProcess = spawn(process.execPath, [RUNNER, join(fn.codeDir, fn.handler.file), fn.handler.exportName], {
    cwd: fn.codeDir,
    env: { ...environment, REHEARSAL_FUNCTION_ARN: fn.arn },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const waiting = new Map<string, (outcome: Outcome) => void>();
  let settleInit: LambdaProcess['init'] extends Promise<infer T> ? (value: T) => void : never;
  const init = new Promise<Awaited<LambdaProcess['init']>>((resolve) => (settleInit = resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    settleInit({ kind: 'init_error', name: 'Exited', message: 'the process exited before its init ended' });
    for (const [, settle] of waiting) settle({ kind: 'error', name: 'Exited', message: 'the process exited' });
  });
  createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
    const message = JSON.parse(line) as { kind: string; id?: string } & Record<string, unknown>;
    if (message.kind === 'ready' || message.kind === 'init_error') return settleInit(message as Awaited<LambdaProcess['init']>);
    const settle = message.id === undefined ? undefined : waiting.get(message.id);
    if (!settle || message.id === undefined) return;
    waiting.delete(message.id);
    settle(message as unknown as Outcome);
  });
  return {
    init,
    async invoke(event, timeoutMs = fn.timeoutSeconds * 1000) {
      const started = await init;
      if (started.kind !== 'ready') throw new Error(`${fn.service} failed its init: ${started.name}: ${started.message}\n${output}`);
      const id = randomUUID();
      const outcome = new Promise<Outcome>((resolve) => waiting.set(id, resolve));
      child.stdin?.write(`${JSON.stringify({ id, event, timeoutMs })}\n`);
      return outcome;
    },
    logs: () => output,
    async stop() {
      child.stdin?.end();
      child.kill();
      await exited;
    },
  };
}
