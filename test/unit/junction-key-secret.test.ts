/**
 * Junction's clients from the `JunctionApiKey` secret (CONTRACT §6, §14): the
 * order client the sweep and the backfill read it for (junction/key-secret.ts
 * `junctionFromSecret`), and the PSC client the query and actions functions book
 * with (junction/psc-secret.ts `pscFromSecret`, the same rules: one client per
 * key, none while the secret holds the placeholder or nothing), loaded on first
 * use by psc-secret-lazy.ts (`lazyPscFromSecret`): no read before a booking call,
 * a secret that cannot be read or used is its `onError`'s and reads as no key.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { junctionFromSecret, PLACEHOLDER_PREFIX } from '../../functions/junction/key-secret';
import { pscFromSecret } from '../../functions/junction/psc-secret';
import { lazyPscFromSecret } from '../../functions/junction/psc-secret-lazy';
import { ConfigError } from '../../functions/shared/config';
import { errorAnswer, secretStringAnswer, startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:junction-api-key-AbCdEf';
const KEY = 'sk_us_KEY-CANARY-one';
const OTHER_KEY = 'sk_us_KEY-CANARY-two';

/** Junction, as far as these tests need it: every request's key header, answered 404. */
let junction: Server;
let baseUrl: string;
let keysSeen: (string | undefined)[];
beforeAll(async () => {
  junction = createServer((request, response) => {
    const headers: IncomingHttpHeaders = request.headers;
    keysSeen.push(headers['x-vital-api-key'] as string | undefined);
    request.resume();
    request.on('end', () => response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}'));
  });
  await new Promise<void>((resolve) => junction.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(junction.address() as AddressInfo).port}`;
});
afterAll(async () => {
  junction.closeAllConnections();
  await new Promise((resolve) => junction.close(resolve));
});
beforeEach(() => {
  keysSeen = [];
});

/** A reader answering `texts` in turn (the last one again after them), counting its reads. */
function reader(...texts: (string | null)[]): { read: () => Promise<string | null>; reads: () => number } {
  let reads = 0;
  return { read: async () => texts[Math.min(reads++, texts.length - 1)] ?? null, reads: () => reads };
}

const PLACEHOLDER = `${PLACEHOLDER_PREFIX}: the Junction team API key (docs/deploy.md)`;

describe('pscFromSecret: the PSC client for the key the secret holds (as junctionFromSecret gives the order client)', () => {
  it('reads the secret on each call, and gives one client per key: the same while the key stays, a new one when it changes', async () => {
    const secret = reader(KEY, `  ${KEY}\n`, OTHER_KEY);
    const psc = pscFromSecret(secret.read, baseUrl);
    expect(secret.reads()).toBe(0);
    const first = await psc();
    const again = await psc();
    const rotated = await psc();
    expect(secret.reads()).toBe(3);
    expect(first).not.toBeNull();
    expect(again).toBe(first);
    expect(rotated).not.toBe(first);
    // Each client sends its own key to Junction's server.
    await first!.activeAppointment('7d2b3c1e-0000-4000-8000-0000000000bb');
    await rotated!.activeAppointment('7d2b3c1e-0000-4000-8000-0000000000bb');
    expect(keysSeen).toEqual([KEY, OTHER_KEY]);
  });

  it.each([
    ['the placeholder', PLACEHOLDER],
    ['a blank secret', '  \n'],
  ])('answers null while the secret holds %s, and a client once it holds a key', async (_name, text) => {
    const psc = pscFromSecret(reader(text, KEY).read, baseUrl);
    expect(await psc()).toBeNull();
    expect(await psc()).not.toBeNull();
  });

  it('fails by the setting, never the value, on binary data or something that is not a key: as junctionFromSecret does', async () => {
    for (const make of [pscFromSecret, junctionFromSecret] as const) {
      const binary = await make(reader(null).read, baseUrl)().catch((error: unknown) => error);
      expect(binary).toBeInstanceOf(ConfigError);
      expect(String(binary)).toContain('JUNCTION_API_KEY_SECRET_ARN: the secret must be a string');
      const text = 'not a key, KEY-CANARY';
      const malformed = await make(reader(text).read, baseUrl)().catch((error: unknown) => error);
      expect(malformed).toBeInstanceOf(ConfigError);
      expect(String(malformed)).toContain('JUNCTION_API_KEY_SECRET_ARN');
      expect(String(malformed)).not.toContain('KEY-CANARY');
    }
  });

  it('answers null, then one client per key, exactly where junctionFromSecret does', async () => {
    const texts = [PLACEHOLDER, KEY, KEY, OTHER_KEY, PLACEHOLDER];
    const psc = pscFromSecret(reader(...texts).read, baseUrl);
    const orders = junctionFromSecret(reader(...texts).read, baseUrl);
    const shape = async (next: () => Promise<unknown>) => {
      const seen: unknown[] = [];
      const out: (number | null)[] = [];
      for (let call = 0; call < texts.length; call++) {
        const client = await next();
        if (client === null) out.push(null);
        else {
          if (!seen.includes(client)) seen.push(client);
          out.push(seen.indexOf(client));
        }
      }
      return out;
    };
    const expected = [null, 0, 0, 1, null];
    expect(await shape(psc)).toEqual(expected);
    expect(await shape(orders)).toEqual(expected);
  });
});

describe('lazyPscFromSecret: the query and actions functions read the secret at the first booking call, not at a cold start', () => {
  let secretsManager: FakeSecretsManager;
  beforeAll(async () => {
    secretsManager = await startFakeSecretsManager(KEY);
  });
  afterAll(async () => {
    await secretsManager.close();
  });
  beforeEach(() => {
    secretsManager.requests.length = 0;
    secretsManager.answer = () => secretStringAnswer(KEY);
    // As Lambda gives them: credentials in the environment; the SDK reads the stand-in's endpoint.
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secretsManager.endpoint);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const secretIds = () => secretsManager.requests.map((request) => String(JSON.parse(request.body).SecretId));

  it('reads nothing when made; at the first call reads the secret named, then keeps it (Secrets Manager asked once)', async () => {
    const onError = vi.fn();
    const psc = lazyPscFromSecret(ARN, baseUrl, onError);
    expect(secretsManager.requests).toEqual([]);
    const client = await psc();
    expect(client).not.toBeNull();
    expect(await psc()).toBe(client);
    expect(secretIds()).toEqual([ARN]);
    await client!.activeAppointment('7d2b3c1e-0000-4000-8000-0000000000bb');
    expect(keysSeen).toEqual([KEY]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('answers null, quietly, while the secret holds the placeholder', async () => {
    secretsManager.answer = () => secretStringAnswer(PLACEHOLDER);
    const onError = vi.fn();
    expect(await lazyPscFromSecret(ARN, baseUrl, onError)()).toBeNull();
    expect(onError).not.toHaveBeenCalled();
  });

  it('answers null and tells onError when Secrets Manager refuses, and asks again at the next call (a failure is not kept)', async () => {
    secretsManager.answer = () => errorAnswer(400, 'AccessDeniedException');
    const onError = vi.fn();
    const psc = lazyPscFromSecret(ARN, baseUrl, onError);
    expect(await psc()).toBeNull();
    expect(onError).toHaveBeenCalledTimes(1);
    secretsManager.answer = () => secretStringAnswer(KEY);
    expect(await psc()).not.toBeNull();
    expect(secretIds()).toEqual([ARN, ARN]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('answers null and tells onError, never with the value, when the secret holds no plausible key', async () => {
    secretsManager.answer = () => secretStringAnswer('not a key, KEY-CANARY');
    const onError = vi.fn();
    expect(await lazyPscFromSecret(ARN, baseUrl, onError)()).toBeNull();
    expect(onError).toHaveBeenCalledTimes(1);
    const [error] = onError.mock.calls[0]!;
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('JUNCTION_API_KEY_SECRET_ARN');
    expect(String(error)).not.toContain('KEY-CANARY');
  });
});
