import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from '../../lib/settings';
import { TABLE } from '../../functions/store/table';
import { statementsOf } from './policies';
import { buildStack, cdkJsonSettings, sharedStack } from './stack';

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

describe('followUpAckHours (CONTRACT §9: the opt-in not_acknowledged reminder)', () => {
  const sweepEnvironment = (built: ReturnType<typeof buildStack>) => {
    const functions = built.template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'stale-redraw-sweep' } } } });
    const [sweep] = Object.values(functions) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
    return sweep!.Properties.Environment.Variables;
  };
  const sweepIndexes = (built: ReturnType<typeof buildStack>) =>
    JSON.stringify(
      statementsOf(built.stack, built.template, built.stack.staleRedrawSweep.role)
        .filter((statement) => statement.Action.includes('dynamodb:Query'))
        .map((statement) => statement.Resource),
    );

  it('is off by default and in the committed cdk.json: no FOLLOW_UP_ACK_HOURS (the worklist index is read all the same, for the redraw_failed notices)', () => {
    expect(parseSettings(valid).followUpAckHours).toBeNull();
    expect(cdkJsonSettings().followUpAckHours).toBeNull();
    const built = sharedStack();
    expect(sweepEnvironment(built)).not.toHaveProperty('FOLLOW_UP_ACK_HOURS');
    expect(sweepIndexes(built)).toContain(TABLE.openRedraws.indexName);
    expect(sweepIndexes(built)).toContain(TABLE.byTransaction.indexName);
  });

  it('when set, reaches the sweep as FOLLOW_UP_ACK_HOURS with a Query grant on the worklist index', () => {
    const built = buildStack({ settings: { followUpAckHours: 48 } });
    expect(sweepEnvironment(built)).toMatchObject({ FOLLOW_UP_ACK_HOURS: '48' });
    expect(sweepIndexes(built)).toContain(TABLE.byTransaction.indexName);
  });

  it('rejects hours that are not positive or longer than a year, naming the setting', () => {
    expect(() => parseSettings({ ...valid, followUpAckHours: 0 })).toThrow(/redrawTracker\.followUpAckHours/);
    expect(() => parseSettings({ ...valid, followUpAckHours: 9000 })).toThrow(/redrawTracker\.followUpAckHours/);
    expect(parseSettings({ ...valid, followUpAckHours: 0.5 }).followUpAckHours).toBe(0.5);
  });
});

describe('followUpMissingResults (CONTRACT §9: every result still missing, or redraws only)', () => {
  const transactionEnvironment = (built: ReturnType<typeof buildStack>) => {
    const functions = built.template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'transaction-status' } } } });
    const [fn] = Object.values(functions) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
    return fn!.Properties.Environment.Variables;
  };

  it('is on by default and in the committed cdk.json: the transaction function opens no_redraw follow-ups', () => {
    expect(parseSettings(valid).followUpMissingResults).toBe(true);
    expect(cdkJsonSettings().followUpMissingResults).toBe(true);
    expect(transactionEnvironment(sharedStack())).toMatchObject({ FOLLOW_UP_MISSING_RESULTS: 'on' });
  });

  it('when false, reaches the transaction function as FOLLOW_UP_MISSING_RESULTS=off, and refuses anything but a boolean', () => {
    expect(transactionEnvironment(buildStack({ settings: { followUpMissingResults: false } }))).toMatchObject({ FOLLOW_UP_MISSING_RESULTS: 'off' });
    expect(() => parseSettings({ ...valid, followUpMissingResults: 'off' })).toThrow(/redrawTracker\.followUpMissingResults/);
  });
});

describe('appointmentGraceHours (CONTRACT §10: how long no_progress waits past a booked appointment)', () => {
  const environmentOf = (built: ReturnType<typeof buildStack>, service: string) => {
    const functions = built.template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } } } });
    const [fn] = Object.values(functions) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
    return fn!.Properties.Environment.Variables;
  };
  /** The sweep flags by it; the transaction function and the follow-up actions keep due_at by it. */
  const SERVICES = ['stale-redraw-sweep', 'transaction-status', 'follow-up-actions'];

  it('is 48 by default and in the committed cdk.json, and reaches every function that applies the stale rules', () => {
    expect(parseSettings(valid).appointmentGraceHours).toBe(48);
    expect(cdkJsonSettings().appointmentGraceHours).toBe(48);
    const built = sharedStack();
    for (const service of SERVICES) expect(environmentOf(built, service), service).toMatchObject({ APPOINTMENT_GRACE_HOURS: '48' });
  });

  it('when set, reaches them as APPOINTMENT_GRACE_HOURS', () => {
    const built = buildStack({ settings: { appointmentGraceHours: 12 } });
    for (const service of SERVICES) expect(environmentOf(built, service), service).toMatchObject({ APPOINTMENT_GRACE_HOURS: '12' });
  });

  it('rejects hours that are not positive or longer than a year, naming the setting', () => {
    expect(() => parseSettings({ ...valid, appointmentGraceHours: 0 })).toThrow(/redrawTracker\.appointmentGraceHours/);
    expect(() => parseSettings({ ...valid, appointmentGraceHours: 9000 })).toThrow(/redrawTracker\.appointmentGraceHours/);
    expect(parseSettings({ ...valid, appointmentGraceHours: 1.5 }).appointmentGraceHours).toBe(1.5);
  });
});

describe("the booking's settings (CONTRACT §14): consoleBookingGroup and junctionBookingAsync", () => {
  it('are off by default and in the committed cdk.json: everyone signed in may book, and Junction confirms at once', () => {
    expect(parseSettings(valid)).toMatchObject({ consoleBookingGroup: null, junctionBookingAsync: false });
    expect(cdkJsonSettings()).toMatchObject({ consoleBookingGroup: null, junctionBookingAsync: false });
  });

  it('accept a Cognito group name and a boolean, and reject anything else, naming the setting', () => {
    expect(parseSettings({ ...valid, consoleBookingGroup: 'schedulers.eu-1', junctionBookingAsync: true })).toMatchObject({ consoleBookingGroup: 'schedulers.eu-1', junctionBookingAsync: true });
    expect(() => parseSettings({ ...valid, consoleBookingGroup: 'night shift' })).toThrow(/redrawTracker\.consoleBookingGroup/);
    expect(() => parseSettings({ ...valid, consoleBookingGroup: 'g'.repeat(129) })).toThrow(/redrawTracker\.consoleBookingGroup/);
    expect(() => parseSettings({ ...valid, junctionBookingAsync: 'on' })).toThrow(/redrawTracker\.junctionBookingAsync/);
  });
});
