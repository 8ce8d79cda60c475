/**
 * The sweep's reconciliation settings and its Lambda entry's cold start: the API
 * key comes from Secrets Manager (JUNCTION_API_KEY_SECRET_ARN); absent, or still
 * the deploy-time placeholder, reconciliation is off (the latter says so); a
 * value that is no key, or a secret that cannot be read, never fails the init: it
 * is logged as an error naming the setting, never the value, and each sweep then
 * runs without Junction (test/integration/sweep-key-secret.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RECONCILE, reconcileOf, ReconcileEnv, syncOf, SyncEnv } from '../../functions/stale-redraw-sweep/config';
import { DEFAULT_SYNC } from '../../functions/stale-redraw-sweep/steps/sync';
import { parseLocalSettings } from '../../local/config';
import { apiKeyFromSecretString, sweepConfig } from '../../functions/stale-redraw-sweep/config';
import { ConfigError, parseEnv } from '../../functions/shared/config';
import { errorAnswer, startFakeSecretsManager } from '../support/fake-secrets-manager';
import { captureOutput } from '../support/webhook';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:junction-api-key-AbCdEf';
const base = { TABLE_NAME: 'tracker', STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:notifications', SWEEP_TIMEOUT_SECONDS: '300' };

describe('reconciliation settings', () => {
  it('default to 60 minutes, 100 reads per sweep and 100 missing results reads per sweep', () => {
    expect(reconcileOf(parseEnv(ReconcileEnv, {}))).toEqual(DEFAULT_RECONCILE);
    expect(DEFAULT_RECONCILE).toEqual({ afterMinutes: 60, maxPerSweep: 100, resultsMaxPerSweep: 100 });
  });

  it('read positive minutes (fractions too) and whole caps', () => {
    expect(reconcileOf(parseEnv(ReconcileEnv, { RECONCILE_AFTER_MINUTES: '7.5', RECONCILE_MAX_PER_SWEEP: '20', MISSING_RESULTS_MAX_PER_SWEEP: '3' }))).toEqual({ afterMinutes: 7.5, maxPerSweep: 20, resultsMaxPerSweep: 3 });
  });

  it.each([
    ['RECONCILE_AFTER_MINUTES', '0'],
    ['RECONCILE_AFTER_MINUTES', '-5'],
    ['RECONCILE_AFTER_MINUTES', 'soon'],
    ['RECONCILE_MAX_PER_SWEEP', '0'],
    ['RECONCILE_MAX_PER_SWEEP', '2.5'],
    ['RECONCILE_MAX_PER_SWEEP', '100000'],
    ['MISSING_RESULTS_MAX_PER_SWEEP', '0'],
    ['MISSING_RESULTS_MAX_PER_SWEEP', '1.5'],
  ])('fail loudly, naming %s, on %j', (name, value) => {
    expect(() => parseEnv(ReconcileEnv, { [name]: value })).toThrow(ConfigError);
    expect(() => parseEnv(ReconcileEnv, { [name]: value })).toThrow(new RegExp(name));
  });

  it('default the sync to 24 hours back and 120 s per sweep, in the Lambda and in npm start alike', () => {
    expect(syncOf(parseEnv(SyncEnv, {}))).toEqual(DEFAULT_SYNC);
    expect(DEFAULT_SYNC).toEqual({ lookbackHours: 24, maxSeconds: 120 });
    expect(syncOf(sweepConfig({ ...base, SYNC_LOOKBACK_HOURS: '72', SYNC_MAX_SECONDS: '30' }))).toEqual({ lookbackHours: 72, maxSeconds: 30 });
    expect(syncOf(parseLocalSettings({ SYNC_LOOKBACK_HOURS: '1.5' }))).toEqual({ lookbackHours: 1.5, maxSeconds: 120 });
  });

  it.each([
    ['SYNC_LOOKBACK_HOURS', '0'],
    ['SYNC_LOOKBACK_HOURS', 'a day'],
    ['SYNC_LOOKBACK_HOURS', '100000'],
    ['SYNC_MAX_SECONDS', '0'],
    ['SYNC_MAX_SECONDS', '1.5'],
    ['SYNC_MAX_SECONDS', '900'],
  ])('fail loudly at start, naming %s, on %j', (name, value) => {
    expect(() => sweepConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
    expect(() => parseLocalSettings({ [name]: value })).toThrow(new RegExp(name));
  });

  it('leave reconciliation off without a secret, and take Junction’s production server by default', () => {
    const config = sweepConfig(base);
    expect(config.JUNCTION_API_KEY_SECRET_ARN).toBeUndefined();
    expect(config.JUNCTION_API_BASE_URL).toBe('https://api.us.junction.com');
    expect(sweepConfig({ ...base, JUNCTION_API_KEY_SECRET_ARN: '  ' }).JUNCTION_API_KEY_SECRET_ARN).toBeUndefined();
    expect(() => sweepConfig({ ...base, JUNCTION_API_KEY_SECRET_ARN: 'junction-key' })).toThrow(/JUNCTION_API_KEY_SECRET_ARN/);
  });
});

describe('the API key in the secret', () => {
  it('is the trimmed value', () => {
    expect(apiKeyFromSecretString('  sk_us_0123456789abcdef\n')).toBe('sk_us_0123456789abcdef');
  });

  it.each(['', '   ', 'REPLACE_ME', 'REPLACE_ME: the Junction team API key'])('is no key (reconciliation off) for the placeholder %j', (text) => {
    expect(apiKeyFromSecretString(text)).toBeNull();
  });

  it.each(['sk us 0123', 'sk_us_\u00e9t\u00e9', 'x'.repeat(513)])('fails loudly on a value that cannot be a key, without echoing it', (text) => {
    const failure = (() => {
      try {
        apiKeyFromSecretString(text);
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ConfigError);
    expect(String(failure)).toContain('JUNCTION_API_KEY_SECRET_ARN');
    expect(String(failure)).not.toContain(text.trim());
  });
});

describe('the sweep’s cold start', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Imports the entry with `secret` in a stand-in for Secrets Manager; what it read, logged, and how it ended. */
  async function coldStart(secret: string | undefined, refusal?: string) {
    vi.resetModules();
    const secretsManager = await startFakeSecretsManager(secret ?? '');
    if (refusal) secretsManager.answer = () => errorAnswer(400, refusal);
    for (const [name, value] of Object.entries(base)) vi.stubEnv(name, value);
    vi.stubEnv('JUNCTION_API_KEY_SECRET_ARN', secret === undefined ? undefined : ARN);
    // As Lambda gives them: credentials in the environment; the SDK reads the stand-in's endpoint.
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secretsManager.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    const output = captureOutput();
    try {
      const loaded = await import('../../functions/stale-redraw-sweep/handler').then(
        (module) => ({ handler: module.handler, failure: null }),
        (error: unknown) => ({ handler: null, failure: error }),
      );
      const requested = secretsManager.requests.map((request) => String(JSON.parse(request.body).SecretId));
      return { ...loaded, requested, log: output.lines().join('\n') };
    } finally {
      output.restore();
      await secretsManager.close();
    }
  }

  it('reads no secret and exports a handler when no secret is configured', async () => {
    const started = await coldStart(undefined);
    expect(started.failure).toBeNull();
    expect(started.handler).toBeTypeOf('function');
    expect(started.requested).toEqual([]);
  });

  it('starts without reconciliation, and says so, while the secret is the placeholder', async () => {
    const started = await coldStart('REPLACE_ME: the Junction team API key (docs/deploy.md)');
    expect(started.failure).toBeNull();
    expect(started.requested).toEqual([ARN]);
    expect(started.log).toContain('junction api key not set');
    expect(started.log).toContain('"level":"WARN"');
  });

  it('starts anyway when the secret holds no plausible key: an error naming the setting, never the value', async () => {
    const started = await coldStart('not a key at all');
    expect(started.failure).toBeNull();
    expect(started.handler).toBeTypeOf('function');
    expect(started.log).toContain('junction api key unusable at start');
    expect(started.log).toContain('"level":"ERROR"');
    expect(started.log).toContain('JUNCTION_API_KEY_SECRET_ARN');
    expect(started.log).not.toContain('not a key at all');
  });

  it('starts anyway when Secrets Manager refuses the read: an error naming the setting and the refusal', async () => {
    const started = await coldStart('sk_us_live_5f0b1c2d3e4f', 'AccessDeniedException');
    expect(started.requested).toEqual([ARN]);
    expect(started.failure).toBeNull();
    expect(started.log).toContain('junction api key unusable at start');
    expect(started.log).toContain('AccessDeniedException');
  });

  it('starts with a key quietly, never logging it', async () => {
    const started = await coldStart('sk_us_live_5f0b1c2d3e4f');
    expect(started.failure).toBeNull();
    expect(started.handler).toBeTypeOf('function');
    expect(started.log).not.toContain('junction api key not set');
    expect(started.log).not.toContain('sk_us_live_5f0b1c2d3e4f');
  });
});
