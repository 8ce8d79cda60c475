import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../functions/shared/config';
import { parseWebhookSecrets, secretsFromSecretString, webhookConfig } from '../../functions/webhook/config';
import { errorAnswer, startFakeSecretsManager } from '../support/fake-secrets-manager';

const secretA = 'whsec_plJ3nmyCDGBKInavdOK15jsl';
const secretB = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';

describe('webhookConfig', () => {
  it('reads comma-separated secrets from JUNCTION_WEBHOOK_SECRET', () => {
    expect(webhookConfig({ TABLE_NAME: 't', JUNCTION_WEBHOOK_SECRET: ` ${secretA} , ${secretB},` })).toEqual({
      tableName: 't',
      secretSource: { kind: 'environment', secrets: [secretA, secretB] },
      retentionDays: null,
    });
  });

  it('reads RETENTION_DAYS (appointment items\' expiry), refusing what is not a whole number of days', () => {
    expect(webhookConfig({ TABLE_NAME: 't', JUNCTION_WEBHOOK_SECRET: secretA, RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    expect(() => webhookConfig({ TABLE_NAME: 't', JUNCTION_WEBHOOK_SECRET: secretA, RETENTION_DAYS: '1.5' })).toThrow(/RETENTION_DAYS/);
  });

  it('reads the secrets from Secrets Manager when only WEBHOOK_SECRET_ARN is set', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:junction-webhook-AbCdEf';
    expect(webhookConfig({ TABLE_NAME: 't', WEBHOOK_SECRET_ARN: arn }).secretSource).toEqual({ kind: 'secrets_manager', arn });
  });

  it('fails naming TABLE_NAME when it is missing or blank', () => {
    expect(() => webhookConfig({ JUNCTION_WEBHOOK_SECRET: secretA })).toThrow(/TABLE_NAME: is required/);
    expect(() => webhookConfig({ TABLE_NAME: '  ', JUNCTION_WEBHOOK_SECRET: secretA })).toThrow(ConfigError);
  });

  it('fails naming both secret settings when neither is set', () => {
    expect(() => webhookConfig({ TABLE_NAME: 't', JUNCTION_WEBHOOK_SECRET: '' })).toThrow(/WEBHOOK_SECRET_ARN \(AWS\) or JUNCTION_WEBHOOK_SECRET \(local\) is required/);
  });

  it.each(['not-a-secret', `${secretA},plain`, 'whsec_', 'whsec_abc def', ','])('fails on a malformed secret without printing it (%s)', (value) => {
    let message = '';
    try {
      webhookConfig({ TABLE_NAME: 't', JUNCTION_WEBHOOK_SECRET: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toContain('JUNCTION_WEBHOOK_SECRET');
    for (const part of value.split(',').filter((part) => part.length > 2 && part !== 'whsec_')) expect(message).not.toContain(part);
  });
});

describe('secrets from Secrets Manager', () => {
  it('parses the secret string and names the setting, not the value, when it is malformed', () => {
    expect(secretsFromSecretString(`${secretA},${secretB}`)).toEqual([secretA, secretB]);
    expect(() => secretsFromSecretString('hunter2')).toThrow(/WEBHOOK_SECRET_ARN/);
    expect(() => secretsFromSecretString('hunter2')).not.toThrow(/hunter2/);
    expect(parseWebhookSecrets('')).toBeNull();
  });
});

describe('handler module', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('fails at import (cold start) with a ConfigError naming TABLE_NAME when it is missing', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', undefined);
    vi.stubEnv('JUNCTION_WEBHOOK_SECRET', secretA);
    const failure = await import('../../functions/webhook/handler').then(() => null, (error: unknown) => error);
    // After resetModules the handler loaded its own copy of the config module: compare with that class.
    const fresh = await import('../../functions/shared/config');
    expect(failure).toBeInstanceOf(fresh.ConfigError);
    expect(String(failure)).toContain('TABLE_NAME');
  });

  it('fails at import when no secret setting is present', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', 'tracker');
    vi.stubEnv('JUNCTION_WEBHOOK_SECRET', undefined);
    vi.stubEnv('WEBHOOK_SECRET_ARN', undefined);
    await expect(import('../../functions/webhook/handler')).rejects.toThrow(/WEBHOOK_SECRET_ARN/);
  });

  it('exports a handler when configured', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', 'tracker');
    vi.stubEnv('JUNCTION_WEBHOOK_SECRET', secretA);
    const module = await import('../../functions/webhook/handler');
    expect(module.handler).toBeTypeOf('function');
  });

  /** The environment Lambda gives the function, with Secrets Manager at `endpoint`. */
  function lambdaEnvironment(endpoint: string): void {
    vi.stubEnv('TABLE_NAME', 'tracker');
    vi.stubEnv('JUNCTION_WEBHOOK_SECRET', undefined);
    vi.stubEnv('WEBHOOK_SECRET_ARN', ARN);
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
  }

  it('reads the Secrets Manager secret at cold start, signed with the function credentials', async () => {
    vi.resetModules();
    const fake = await startFakeSecretsManager(`${secretA},${secretB}`);
    try {
      lambdaEnvironment(fake.endpoint);
      const module = await import('../../functions/webhook/handler');
      expect(module.handler).toBeTypeOf('function');
      expect(fake.requests).toHaveLength(1);
      expect(JSON.parse(fake.requests[0]?.body ?? '')).toEqual({ SecretId: ARN });
      expect(fake.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/secretsmanager\//);
    } finally {
      await fake.close();
    }
  });

  it('fails the init, naming the setting, when the secret is still the placeholder', async () => {
    vi.resetModules();
    // The value a fresh deploy stores.
    const fake = await startFakeSecretsManager('REPLACE_ME: comma-separated whsec_ signing secrets from the Junction dashboard');
    try {
      lambdaEnvironment(fake.endpoint);
      const failure = await import('../../functions/webhook/handler').then(() => null, (error: unknown) => error);
      expect(fake.requests).toHaveLength(1);
      expect(String(failure)).toContain('WEBHOOK_SECRET_ARN');
      expect(String(failure)).not.toContain('REPLACE_ME');
    } finally {
      await fake.close();
    }
  });

  it('fails the init, naming the setting and the refusal, when the secret cannot be read', async () => {
    vi.resetModules();
    const fake = await startFakeSecretsManager(secretA);
    fake.answer = () => errorAnswer(400, 'ResourceNotFoundException');
    try {
      lambdaEnvironment(fake.endpoint);
      const failure = await import('../../functions/webhook/handler').then(() => null, (error: unknown) => error);
      const fresh = await import('../../functions/shared/config');
      expect(failure).toBeInstanceOf(fresh.ConfigError);
      expect(String(failure)).toMatch(/WEBHOOK_SECRET_ARN: .*ResourceNotFoundException/);
    } finally {
      await fake.close();
    }
  });
});
