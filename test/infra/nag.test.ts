import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lib/app';
import { SETTINGS_CONTEXT_KEY } from '../../lib/settings';
import { buildStack, cdkJsonSettings } from './stack';

const skipBundling = { 'aws:cdk:bundling-stacks': [] };

describe('cdk-nag', () => {
  it('finds nothing unacknowledged with the AwsSolutions pack', () => {
    const { app } = buildStack();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  }, 120_000);

  it('finds nothing unacknowledged with the AwsSolutions pack when the Slack channel is configured', () => {
    const { app } = buildStack({ settings: { slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' } } });
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  }, 120_000);

  it('reports, with the HIPAA.Security pack, exactly the rules docs/deploy.md explains', () => {
    const { app } = buildStack();
    const report = new HIPAASecurityChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName).sort()).toEqual([
      'HIPAA.Security-DynamoDBInBackupPlan',
      'HIPAA.Security-IAMNoInlinePolicy',
      'HIPAA.Security-LambdaConcurrency',
      'HIPAA.Security-LambdaDLQ',
      'HIPAA.Security-LambdaInsideVPC',
      'HIPAA.Security-SecretsManagerRotationEnabled',
    ]);
  }, 120_000);

  it('fails the app synthesis on a finding nobody acknowledged', () => {
    const { app, stack } = createApp({
      context: { ...skipBundling, [SETTINGS_CONTEXT_KEY]: cdkJsonSettings() },
    });
    // An unencrypted queue that accepts plain HTTP: AwsSolutions SQS2 and SQS4.
    new Queue(stack, 'UnacknowledgedQueue', { encryption: QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  }, 120_000);

  it('synthesizes the app as `cdk synth` does, with the AwsSolutions pack registered', () => {
    const { app } = createApp({ context: { ...skipBundling, [SETTINGS_CONTEXT_KEY]: cdkJsonSettings() } });
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('refuses to build the app with an invalid setting, naming it', () => {
    expect(() =>
      createApp({ context: { ...skipBundling, [SETTINGS_CONTEXT_KEY]: { ...cdkJsonSettings(), logRetentionDays: 2 } } }),
    ).toThrow(/redrawTracker\.logRetentionDays/);
  });
});
