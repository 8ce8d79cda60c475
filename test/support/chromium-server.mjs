/**
 * The run's one Chromium (issue 87), in a process of its own: started by the
 * browser project's globalSetup (./chromium-global-setup.ts) as
 * `node chromium-server.mjs <chromium binary> <its flags as JSON>`, it launches
 * Playwright's browser server and prints its WebSocket endpoint on one line;
 * each browser file connects to it (./browser-setup.ts sharedChromium) and
 * opens its pages in contexts of its own. It closes the browser and exits on
 * SIGTERM, or when its parent closes its stdin (a run that died).
 */
import process from 'node:process';
import { chromium } from 'playwright-core';

const [executablePath, flags] = process.argv.slice(2);
if (executablePath === undefined || flags === undefined) {
  process.stderr.write('usage: node chromium-server.mjs <chromium binary> <flags as JSON>\n');
  process.exit(2);
}
const server = await chromium.launchServer({ executablePath, headless: true, args: JSON.parse(flags) });
let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
process.stdin.on('end', close);
process.stdin.resume();
process.stdout.write(`${server.wsEndpoint()}\n`);
