import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from '../../lib/settings';
import { cdkJsonSettings } from './stack';

const valid = { redrawStaleAfterDays: 7, redrawMissingAfterHours: 24, logRetentionDays: 30, alarmEmail: null };

describe('settings from cdk.json context', () => {
  it('accepts the committed cdk.json settings and fills the API throttling defaults', () => {
    expect(cdkJsonSettings()).toMatchObject({ ...valid, apiRateLimit: 50, apiBurstLimit: 100 });
  });

  it('names the setting when a threshold is not a positive whole number', () => {
    expect(() => parseSettings({ ...valid, redrawStaleAfterDays: 0 })).toThrow(/redrawTracker\.redrawStaleAfterDays/);
    expect(() => parseSettings({ ...valid, redrawMissingAfterHours: 1.5 })).toThrow(/redrawTracker\.redrawMissingAfterHours/);
  });

  it('rejects a log retention CloudWatch Logs does not offer, listing the ones it does', () => {
    expect(() => parseSettings({ ...valid, logRetentionDays: 31 })).toThrow(/redrawTracker\.logRetentionDays: .*30, 60/);
  });

  it('rejects an alarm e-mail that is not an address', () => {
    expect(() => parseSettings({ ...valid, alarmEmail: 'ops team' })).toThrow(/redrawTracker\.alarmEmail/);
  });

  it('fills the webhook route limits and the no-webhook alarm hours, and accepts 0 hours (alarm off)', () => {
    expect(parseSettings(valid)).toMatchObject({ webhookRateLimit: 50, webhookBurstLimit: 100, noWebhookAlarmHours: 24 });
    expect(parseSettings({ ...valid, noWebhookAlarmHours: 0 }).noWebhookAlarmHours).toBe(0);
    expect(cdkJsonSettings()).toMatchObject({ webhookRateLimit: 50, webhookBurstLimit: 100, noWebhookAlarmHours: 24 });
  });

  it('rejects no-webhook alarm hours CloudWatch cannot evaluate (more than 7 days of hourly periods) or that are not whole hours', () => {
    expect(() => parseSettings({ ...valid, noWebhookAlarmHours: 169 })).toThrow(/redrawTracker\.noWebhookAlarmHours/);
    expect(() => parseSettings({ ...valid, noWebhookAlarmHours: 1.5 })).toThrow(/redrawTracker\.noWebhookAlarmHours/);
    expect(() => parseSettings({ ...valid, noWebhookAlarmHours: -1 })).toThrow(/redrawTracker\.noWebhookAlarmHours/);
  });

  it('rejects webhook route limits that are not positive, naming them', () => {
    expect(() => parseSettings({ ...valid, webhookRateLimit: 0 })).toThrow(/redrawTracker\.webhookRateLimit/);
    expect(() => parseSettings({ ...valid, webhookBurstLimit: 2.5 })).toThrow(/redrawTracker\.webhookBurstLimit/);
  });

  it('rejects unknown keys so a misspelt setting is not silently ignored', () => {
    expect(() => parseSettings({ ...valid, redrawStaleAfterDay: 3 })).toThrow(/redrawStaleAfterDay/);
  });

  it('fails with the context key when the settings are missing altogether', () => {
    expect(() => parseSettings(undefined)).toThrow(SettingsError);
    expect(() => parseSettings(undefined)).toThrow(/redrawTracker/);
  });
});
