/**
 * `sign-webhook <file>`: the three `svix-*` headers for a body file, signed
 * with JUNCTION_WEBHOOK_SECRET (the first, when several are given), as curl
 * `-H` arguments, so that
 *
 *   curl -X POST http://127.0.0.1:3000/webhooks/junction \
 *     $(npx redraw-tracker sign-webhook body.json) --data-binary @body.json
 *
 * posts a webhook the tracker accepts. The signature covers the file's exact
 * bytes: send it with --data-binary (plain -d strips newlines), within 5 minutes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { svixSecretKey } from '../../functions/core/svix';
import type { CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import { curlHeaderArgs, svixHeaders } from '../svix-headers';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker sign-webhook <body file> [--json]

Prints the svix-id, svix-timestamp and svix-signature headers for the file's exact
bytes, signed with JUNCTION_WEBHOOK_SECRET (the secret \`npm start\` printed; the
first one when several are given), as curl -H arguments. Send the body with
--data-binary within 5 minutes. Nothing is sent by this command.

With --json: {"svix-id": ..., "svix-timestamp": ..., "svix-signature": ...}.

Examples:
  export JUNCTION_WEBHOOK_SECRET=whsec_...      # from the npm start banner
  curl -s -X POST http://127.0.0.1:3000/webhooks/junction -H 'content-type: application/json' \\
    $(npx redraw-tracker sign-webhook docs/examples/order-updated.json) \\
    --data-binary @docs/examples/order-updated.json
  npm run -s sign-webhook -- docs/examples/order-updated.json   (the same, as an npm script)`,
  positionals: { min: 1, max: 1, name: 'the body file' },
  target: 'none',
  async run({ positionals, json, out, deps }) {
    const secret = (deps.env.JUNCTION_WEBHOOK_SECRET ?? '').split(',')[0]!.trim();
    if (!secret) throw usageError('sign-webhook: JUNCTION_WEBHOOK_SECRET is required: the secret `npm start` printed (or the one you gave it)');
    if (svixSecretKey(secret) === null) throw usageError('sign-webhook: JUNCTION_WEBHOOK_SECRET must be a whsec_<base64> secret');
    const path = resolve(deps.cwd, positionals[0]!);
    let rawBody: Buffer;
    try {
      rawBody = readFileSync(path);
    } catch {
      throw usageError(`sign-webhook: cannot read ${path}: give the path of a webhook body file`);
    }
    const headers = svixHeaders({ secret, rawBody, now: deps.now() });
    if (json) out.json(headers);
    else out.line(curlHeaderArgs(headers));
    return EXIT.ok;
  },
};

export default command;
