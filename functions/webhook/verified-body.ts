/**
 * The webhook's input middleware: the request is only let through to the
 * handler once its raw bytes have passed the size limit and the Svix signature
 * check, and its body has been read with the zod schemas (core/schemas.ts).
 * Rejections are thrown as typed errors and answered by the one error boundary.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readWebhookBody, type ReadBody } from '../core/schemas';
import { verifySvixSignature } from '../core/svix';

/** Svix and API Gateway allow more; the contract does not (1 MiB). */
export const MAX_BODY_BYTES = 1_048_576;

/** Reads a body to a typed result; replaceable so a replay can run fixed code over old bodies. */
export type BodyReader = (rawBody: string) => ReadBody;

export type RejectionCode = 'invalid_signature' | 'timestamp_out_of_range' | 'payload_too_large';

/** A request the webhook refuses: answered 401 or 413 with its code, and nothing stored. */
export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';
  constructor(
    readonly statusCode: 401 | 413,
    readonly code: RejectionCode,
  ) {
    super(code);
  }
}

/** What the handler gets: an authentic Svix message and its body, read. */
export interface VerifiedWebhook {
  rawBody: Buffer;
  messageId: string;
  timestamp: number;
  read: ReadBody;
}


const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads verified bytes with `readBody` (the current reader by default); bytes that are not UTF-8 are unreadable. */
export function readVerifiedBody(rawBody: Uint8Array, readBody: BodyReader = readWebhookBody): ReadBody {
  let text: string;
  try {
    text = utf8.decode(rawBody);
  } catch {
    return { kind: 'unreadable', reason: 'body is not valid UTF-8' };
  }
  return readBody(text);
}

/** The raw body bytes: API Gateway hands binary or non-text bodies over base64-encoded. */
export function rawBodyOf(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

export interface VerifiedBodyOptions {
  secrets: () => Promise<readonly string[]>;
  now: () => Date;
  logger: Logger;
  readBody?: BodyReader;
  /** Bounds the secret read by the invocation's answer deadline (deadline.ts); unbounded without it. */
  inTime?: <T>(work: Promise<T>, context: Context) => Promise<T>;
}

export interface VerifiedBodyMiddleware {
  middleware: MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  /** The verified webhook of the invocation with this context (the handler's input). */
  verifiedOf(context: Context): VerifiedWebhook;
}

/** Size, then signature on the raw bytes (before any parsing), then the zod read of the body. */
export function verifiedJunctionBody(options: VerifiedBodyOptions): VerifiedBodyMiddleware {
  const verifiedByInvocation = new WeakMap<Context, VerifiedWebhook>();
  const middleware: VerifiedBodyMiddleware['middleware'] = {
    before: async (request) => {
      const rawBody = rawBodyOf(request.event);
      const size = rawBody.length; // its size only: the body itself is never logged
      options.logger.info('webhook received', { body_bytes: size });
      if (size > MAX_BODY_BYTES) throw new WebhookRejection(413, 'payload_too_large');
      const verified = verifySvixSignature({
        headers: request.event.headers ?? {},
        rawBody,
        // A read of Secrets Manager once the cached secret is old: bounded like the write.
        secrets: await (options.inTime ? options.inTime(options.secrets(), request.context) : options.secrets()),
        now: options.now(),
      });
      if (!verified.ok) throw new WebhookRejection(401, verified.code);
      options.logger.appendKeys({ svix_id: verified.messageId });
      verifiedByInvocation.set(request.context, {
        rawBody,
        messageId: verified.messageId,
        timestamp: verified.timestamp,
        read: readVerifiedBody(rawBody, options.readBody),
      });
    },
  };
  return {
    middleware,
    verifiedOf(context) {
      const verified = verifiedByInvocation.get(context);
      if (!verified) throw new Error('the webhook handler ran without the verified-body middleware');
      return verified;
    },
  };
}
