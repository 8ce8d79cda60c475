/**
 * `npm run -s sign-webhook -- body.json`: prints the three `svix-*` headers for
 * that body file as curl `-H` arguments, signed with JUNCTION_WEBHOOK_SECRET
 * (the first, when several are given), so that
 *
 *   curl -X POST http://127.0.0.1:3000/webhooks/junction \
 *     $(npm run -s sign-webhook -- body.json) --data-binary @body.json
 *
 * posts a webhook the tracker accepts. The signature covers the file's exact
 * bytes: send it with --data-binary (plain -d strips newlines), within 5 minutes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { svixSecretKey } from '../functions/core/svix';
import { curlHeaderArgs, svixHeaders } from './svix-headers';

function main(): void {
  const [file, ...extra] = process.argv.slice(2);
  if (!file || extra.length > 0) fail('usage: npm run -s sign-webhook -- <body file>');
  const secret = (process.env.JUNCTION_WEBHOOK_SECRET ?? '').split(',')[0]!.trim();
  if (!secret) fail('JUNCTION_WEBHOOK_SECRET is required: the secret `npm start` printed (or the one you gave it)');
  if (svixSecretKey(secret) === null) fail('JUNCTION_WEBHOOK_SECRET must be a whsec_<base64> secret');
  // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let rawBody: Buffer;
  try {
    rawBody = readFileSync(path);
  } catch {
    fail(`cannot read ${path}`);
  }
  console.log(curlHeaderArgs(svixHeaders({ secret, rawBody })));
}

function fail(message: string): never {
  console.error(`sign-webhook: ${message}`);
  process.exit(1);
}

main();
