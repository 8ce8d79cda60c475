/**
 * The browser project's globalSetup (vitest.config.mts): runs once, at the start
 * of a run that includes browser files, before any test file runs, so a machine
 * without Chromium gets it installed (root or passwordless sudo) or the whole
 * run stops at once naming the command (./chromium), instead of failing the
 * browser files minutes later. Then it starts the run's one Chromium
 * (./chromium-server.mjs, a process of its own) that every browser file
 * connects to with contexts of its own (./browser-setup.ts sharedChromium):
 * a launch per file cost about 1 s of CPU and 2-3 s of wall (issue 87).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS } from './browser';
import { chromiumPath, ensureChromium, realHost } from './chromium';
import { repoRoot } from './npm-start';
import { recordSharedProcesses, RUN_DIR_VARIABLE } from './suite-cpu';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The WebSocket endpoint of the run's Chromium (Playwright's browser server). */
    chromiumEndpoint: string;
  }
}

/** How long Chromium may take to start on a busy machine: a hang guard, not a measure. */
const START_TIMEOUT_MS = 60_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    ensureChromium(process.env, realHost);
  } catch (error) {
    // Vitest prints "No test files found" above a setup's error: say first why nothing ran.
    realHost.say(`\nnpm test stopped before running any test: ${error instanceof Error ? error.message : String(error)}\n`);
    throw error;
  }
  const server = spawn(process.execPath, [resolve(repoRoot, 'test/support/chromium-server.mjs'), chromiumPath(), JSON.stringify(CHROMIUM_ARGS)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(server, 'exit');
  const endpoint = await new Promise<string>((resolveEndpoint, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Chromium's server printed no endpoint within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = /^(ws:\/\/\S+)\n/m.exec(out)?.[1];
      if (line === undefined) return;
      clearTimeout(timer);
      resolveEndpoint(line);
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`Chromium's server exited (${String(code)}) before it printed its endpoint`));
    });
  });
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir !== undefined && server.pid !== undefined) recordSharedProcesses(runDir, 'chromium', [server.pid]);
  project.provide('chromiumEndpoint', endpoint);
  return async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
}
