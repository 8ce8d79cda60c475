/**
 * Configuration is read once, when a function starts, and checked with zod: a
 * missing or malformed setting fails loudly with its name, never falls back to ''.
 */
import * as z from 'zod/mini';
import { isConsoleBase } from '../core/console-link';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with `schema`, or throws a ConfigError naming every bad setting. */
export function parseEnv<Schema extends z.core.$ZodType>(schema: Schema, env: NodeJS.ProcessEnv = process.env): z.output<Schema> {
  // Parsed once: zod's compiled fast path (new Function per object schema) would cost more to build than it saves.
  const result = z.safeParse(schema, env, { jitless: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${messageOf(issue, env)}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/**
 * A number setting that is not one says so with the text given (numbers are no
 * secret), instead of zod's "received NaN"; other messages are the schema's.
 */
function messageOf(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  const [name] = issue.path;
  const given = typeof name === 'string' ? env[name] : undefined;
  // Only zod's own wording is replaced: a schema's message ("must be a port number") stays.
  const notANumber = issue.code === 'invalid_type' && issue.expected === 'number' && issue.message.startsWith('Invalid input');
  return notANumber && given !== undefined ? `must be a number, not ${JSON.stringify(given)}` : issue.message;
}

/** A required, non-empty setting. */
export const required = () => z.string({ error: 'is required' }).check(z.trim(), z.minLength(1, 'is required'));

/** An optional http(s) URL, for DYNAMODB_ENDPOINT (DynamoDB Local). */
export const optionalEndpoint = () => z.optional(z.url({ protocol: /^https?$/ }));

/** An optional setting, where an unset or blank variable counts as absent. */
export const optionalSetting = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)),
    z.optional(schema),
  );

/**
 * CONSOLE_URL: the console's base URL (CONTRACT §12), whose pages the alerts and
 * the digest link to; the stack sets it to `ConsoleUrl` when the `console` setting
 * is on. Absent (or blank): no links. Anything else fails at start, naming it.
 */
export const optionalConsoleUrl = () =>
  optionalSetting(
    z.string().check(
      z.trim(),
      z.refine(isConsoleBase, "must be the console's URL: an absolute http(s) URL ending in /, without query or fragment, e.g. https://d111111abcdef8.cloudfront.net/"),
    ),
  );

/** A positive number given as text, with a default. */
export const positiveNumber = (defaultValue: number) => z._default(z.coerce.number().check(z.positive()), defaultValue);
