/**
 * The `svix-*` headers of a webhook body, as Svix would send them: for people
 * posting webhooks to the tracker by hand (`redraw-tracker sign-webhook`).
 */
import { randomUUID } from 'node:crypto';
import { signSvixMessage } from '../functions/core/svix';

export interface SvixHeaders {
  'svix-id': string;
  'svix-timestamp': string;
  'svix-signature': string;
}

/** Signs `rawBody` with `secret` (a `whsec_` secret); a fresh message id and the current time unless given. */
export function svixHeaders(input: { secret: string; rawBody: Uint8Array | string; messageId?: string; now?: Date }): SvixHeaders {
  const messageId = input.messageId ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    'svix-id': messageId,
    'svix-timestamp': String(timestamp),
    'svix-signature': signSvixMessage({ secret: input.secret, messageId, timestamp, rawBody: input.rawBody }),
  };
}

/**
 * curl arguments for the headers, one `-H name:value` pair each. No value holds
 * a space or a glob character (ids, digits, base64), so the unquoted
 * `$(npx redraw-tracker sign-webhook body.json)` splits into exactly these words.
 */
export function curlHeaderArgs(headers: SvixHeaders): string {
  return Object.entries(headers)
    .map(([name, value]) => `-H ${name}:${value}`)
    .join(' ');
}
