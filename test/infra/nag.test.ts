import { readFileSync } from 'node:fs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lib/app';
import { SETTINGS_CONTEXT_KEY } from '../../lib/settings';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { testAssemblyDir } from '../support/test-assemblies';
import { buildStack, cdkJsonSettings, fhirOn } from './stack';

const skipBundling = { 'aws:cdk:bundling-stacks': [] };

/** The rules in the first column of docs/deploy.md's "HIPAA.Security pack" table, sorted. */
function hipaaRulesExplained(): string[] {
  const doc = readFileSync(`${PROJECT_ROOT}docs/deploy.md`, 'utf8').split('\n');
  const start = doc.findIndex((line) => line.startsWith('### HIPAA.Security pack'));
  const rows: string[] = [];
  let inTable = false;
  for (const line of doc.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (line.startsWith('|')) inTable = true;
    else if (inTable) break;
    if (inTable) rows.push(line.split('|')[1]?.trim() ?? '');
  }
  // Header and rule lines left out.
  return rows.slice(2).sort();
}

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

  it('finds nothing unacknowledged with the AwsSolutions pack when FHIR Tasks are on (CONTRACT §13)', () => {
    const { app } = buildStack({ settings: fhirOn() });
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  }, 120_000);

  it('reports, with the HIPAA.Security pack and FHIR Tasks on, no rule docs/deploy.md does not explain', () => {
    const { app } = buildStack({ settings: fhirOn() });
    const rules = [...new Set(new HIPAASecurityChecks().validateScope(app).violations.map((v) => v.ruleName.replace(/^HIPAA\.Security-/, '')))].sort();
    expect(rules).toEqual(hipaaRulesExplained());
  }, 120_000);

  it('reports, with the HIPAA.Security pack, exactly the rules docs/deploy.md explains', () => {
    const { app } = buildStack();
    const report = new HIPAASecurityChecks().validateScope(app);
    const rules = report.violations.map((v) => v.ruleName).sort();
    expect(rules).toEqual([
      'HIPAA.Security-DynamoDBInBackupPlan',
      'HIPAA.Security-IAMNoInlinePolicy',
      'HIPAA.Security-LambdaConcurrency',
      'HIPAA.Security-LambdaDLQ',
      'HIPAA.Security-LambdaInsideVPC',
      'HIPAA.Security-S3BucketReplicationEnabled',
      'HIPAA.Security-S3BucketVersioningEnabled',
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'HIPAA.Security-SecretsManagerRotationEnabled',
    ]);
    // The page's table ("HIPAA.Security pack") has a row for each, and for nothing else.
    expect(hipaaRulesExplained()).toEqual(rules.map((rule) => rule.replace(/^HIPAA\.Security-/, '')));
    // The S3 rules are about the console's two buckets (the page and its access logs), and nothing of the tracker's data.
    for (const violation of report.violations.filter((v) => v.ruleName.includes('-S3'))) {
      expect(violation.violatingResources.map((r) => r.constructPath).sort()).toEqual(['RedrawTracker/Console/AccessLogs/Resource', 'RedrawTracker/Console/Site/Resource']);
    }
  }, 120_000);

  it('reports none of the S3 rules with the console off (no bucket)', () => {
    const { app } = buildStack({ settings: { console: false } });
    const report = new HIPAASecurityChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName).filter((rule) => rule.includes('-S3'))).toEqual([]);
  }, 120_000);

  it('fails the app synthesis on a finding nobody acknowledged', () => {
    const { app, stack } = createApp({
      outdir: testAssemblyDir(),
      context: { ...skipBundling, [SETTINGS_CONTEXT_KEY]: cdkJsonSettings() },
    });
    // An unencrypted queue that accepts plain HTTP: AwsSolutions SQS2 and SQS4.
    new Queue(stack, 'UnacknowledgedQueue', { encryption: QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  }, 120_000);

  it('synthesizes the app as `cdk synth` does, with the AwsSolutions pack registered', () => {
    const { app } = createApp({ outdir: testAssemblyDir(), context: { ...skipBundling, [SETTINGS_CONTEXT_KEY]: cdkJsonSettings() } });
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('refuses to build the app with an invalid setting, naming it', () => {
    expect(() =>
      createApp({ outdir: testAssemblyDir(), context: { ...skipBundling, [SETTINGS_CONTEXT_KEY]: { ...cdkJsonSettings(), logRetentionDays: 2 } } }),
    ).toThrow(/redrawTracker\.logRetentionDays/);
  });
});
