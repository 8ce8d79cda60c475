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

  it('rejects unknown keys so a misspelt setting is not silently ignored', () => {
    expect(() => parseSettings({ ...valid, redrawStaleAfterDay: 3 })).toThrow(/redrawStaleAfterDay/);
  });

  it('fails with the context key when the settings are missing altogether', () => {
    expect(() => parseSettings(undefined)).toThrow(SettingsError);
    expect(() => parseSettings(undefined)).toThrow(/redrawTracker/);
  });
});
