/**
 * The digest function's settings (functions/weekly-digest/config.ts), checked
 * once at start: a missing table or topic, or a zone that is no IANA zone, fails
 * the init naming the setting; DIGEST_TIMEZONE defaults to UTC.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/shared/config';
import { digestConfig } from '../../functions/weekly-digest/config';

const VALID = { TABLE_NAME: 'redraw-tracker', NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:notifications' };

describe('the weekly digest config', () => {
  it('defaults DIGEST_TIMEZONE to UTC and leaves ENVIRONMENT_NAME to the handler', () => {
    expect(digestConfig(VALID)).toEqual({ ...VALID, DIGEST_TIMEZONE: 'UTC', ENVIRONMENT_NAME: undefined });
    expect(digestConfig({ ...VALID, DIGEST_TIMEZONE: ' ' }).DIGEST_TIMEZONE).toBe('UTC');
    expect(digestConfig({ ...VALID, DIGEST_TIMEZONE: 'Europe/Berlin', ENVIRONMENT_NAME: 'prod' })).toMatchObject({ DIGEST_TIMEZONE: 'Europe/Berlin', ENVIRONMENT_NAME: 'prod' });
  });

  it('names each bad setting: a missing table or topic, a zone that is not an IANA zone, an environment name SNS could not carry', () => {
    expect(() => digestConfig({ NOTIFICATIONS_TOPIC_ARN: VALID.NOTIFICATIONS_TOPIC_ARN })).toThrow(/TABLE_NAME: is required/);
    expect(() => digestConfig({ TABLE_NAME: 't', NOTIFICATIONS_TOPIC_ARN: 'notifications' })).toThrow(/NOTIFICATIONS_TOPIC_ARN: must be an SNS topic ARN/);
    expect(() => digestConfig({ ...VALID, DIGEST_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(ConfigError);
    expect(() => digestConfig({ ...VALID, DIGEST_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(/DIGEST_TIMEZONE: must be an IANA time zone/);
    expect(() => digestConfig({ ...VALID, ENVIRONMENT_NAME: 'prod env' })).toThrow(/ENVIRONMENT_NAME/);
  });
});
