import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readWebhookBody } from '../../functions/core/schemas';
import { verifySvixSignature } from '../../functions/core/svix';
import { runCli } from '../../cli/main';
import { curlHeaderArgs, svixHeaders } from '../../cli/svix-headers';
import { newSecret } from '../support/webhook';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const examplePath = join(repoRoot, 'docs', 'examples', 'order-updated.json');
const PHI_FIELDS = ['patient_details', 'patient_address', 'shipping_details', 'notes', 'clinical_notes', 'icd_codes', 'interpretation', 'sample_id', 'lab_test', 'physician'];

/** The headers back from curl arguments `-H name:value ...`. */
function parseCurlArgs(text: string): Record<string, string> {
  const words = text.trim().split(/\s+/);
  const headers: Record<string, string> = {};
  for (let i = 0; i < words.length; i += 2) {
    expect(words[i]).toBe('-H');
    const [name, ...value] = (words[i + 1] ?? '').split(':');
    headers[name!] = value.join(':');
  }
  return headers;
}

describe('svixHeaders', () => {
  it('signs a body so that the tracker verifies it, with any secret of a rotation', () => {
    const secret = newSecret();
    const now = new Date();
    const rawBody = readFileSync(examplePath);
    const headers = svixHeaders({ secret, rawBody, now });
    expect(verifySvixSignature({ headers: { ...headers }, rawBody, secrets: [newSecret(), secret], now })).toMatchObject({ ok: true, messageId: headers['svix-id'] });
  });

  it('gives headers that do not verify for another body or another secret', () => {
    const secret = newSecret();
    const now = new Date();
    const headers = { ...svixHeaders({ secret, rawBody: '{"a":1}', now }) };
    expect(verifySvixSignature({ headers, rawBody: '{"a":2}', secrets: [secret], now })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(verifySvixSignature({ headers, rawBody: '{"a":1}', secrets: [newSecret()], now })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('gives a fresh message id for every call', () => {
    const secret = newSecret();
    expect(svixHeaders({ secret, rawBody: 'x' })['svix-id']).not.toBe(svixHeaders({ secret, rawBody: 'x' })['svix-id']);
  });
});

describe('curlHeaderArgs', () => {
  it('prints exactly three -H arguments without spaces inside a value, which read back as the signed headers', () => {
    const secret = newSecret();
    const now = new Date();
    const headers = svixHeaders({ secret, rawBody: 'body', now });
    const text = curlHeaderArgs(headers);
    expect(text.split(' ')).toHaveLength(6);
    expect(text).not.toMatch(/[*?[\]'"\\]/);
    expect(parseCurlArgs(text)).toEqual(headers);
  });
});

describe('redraw-tracker sign-webhook (npm run sign-webhook)', () => {
  it('prints headers that verify against the example body, reading the file relative to where it was called', async () => {
    const secret = newSecret();
    const { stdout } = await run(process.execPath, ['bin/redraw-tracker.mjs', 'sign-webhook', 'examples/order-updated.json'], {
      cwd: repoRoot,
      env: { ...process.env, JUNCTION_WEBHOOK_SECRET: `${secret},${newSecret()}`, INIT_CWD: join(repoRoot, 'docs') },
    });
    const headers = parseCurlArgs(stdout);
    expect(Object.keys(headers).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp']);
    expect(verifySvixSignature({ headers, rawBody: readFileSync(examplePath), secrets: [secret], now: new Date() })).toMatchObject({ ok: true });
  });

  it('in process, reads the file relative to the INIT_CWD of the env it is given (not of the process running it)', async () => {
    const secret = newSecret();
    let stdout = '';
    let stderr = '';
    const code = await runCli(['sign-webhook', 'examples/order-updated.json', '--json'], {
      env: { JUNCTION_WEBHOOK_SECRET: secret, INIT_CWD: join(repoRoot, 'docs') },
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const headers = JSON.parse(stdout) as Record<string, string>;
    expect(verifySvixSignature({ headers, rawBody: readFileSync(examplePath), secrets: [secret], now: new Date() })).toMatchObject({ ok: true });
  });

  it('fails with one clear line and the usage exit code when JUNCTION_WEBHOOK_SECRET is missing', async () => {
    const env = { ...process.env };
    delete env.JUNCTION_WEBHOOK_SECRET;
    const failure = await run(process.execPath, ['bin/redraw-tracker.mjs', 'sign-webhook', examplePath], { cwd: repoRoot, env }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^redraw-tracker: sign-webhook: JUNCTION_WEBHOOK_SECRET is required[^\n]*\n$/) });
  });
});

describe('docs/examples/order-updated.json', () => {
  it('is a walk-in order event the tracker accepts, carrying no PHI field', () => {
    const raw = readFileSync(examplePath, 'utf8');
    const read = readWebhookBody(raw);
    expect(read.kind).toBe('order');
    const data: unknown = JSON.parse(raw).data;
    expect(data).toMatchObject({ details: { type: 'walk_in_test' } });
    for (const field of PHI_FIELDS) expect(data).not.toHaveProperty(field);
  });
});
