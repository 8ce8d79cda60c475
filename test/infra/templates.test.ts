/**
 * The synthesized templates, kept as fixtures (issue 75): every settings combination the tests synthesize, plus
 * the deploy rehearsal's FHIR stack and the app as lib/app.ts builds it, is synthesized once (bundling skipped)
 * and compared with its fixture in test/fixtures/templates/. A logical id that changes replaces its resource on
 * the next deploy (the table, the user pool, the buckets, the keys, the queues, with every record in them), so
 * any difference fails, named by resource logical id and property path, expected against got.
 *
 * Only asset hashes (64 hex digits, wherever they appear: Code.S3Key, the console's deployment keys) and the
 * `aws:cdk:path` and `aws:asset:*` metadata are left out of the comparison (normalizeTemplate).
 *
 * A change that alters the template on purpose updates the fixtures in the same commit:
 *   UPDATE_TEMPLATE_FIXTURES=1 npx vitest run test/infra/templates.test.ts
 * then read `git diff test/fixtures/templates/` before committing it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../local/dynamodb-local';
import { createApp } from '../../lib/app';
import { GroupedStack, Grouping } from '../../lib/grouping';
import { RedrawTrackerStack } from '../../lib/redraw-tracker-stack';
import { SETTINGS_CONTEXT_KEY, type Settings } from '../../lib/settings';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { testApp, testAssemblyDir } from '../support/test-assemblies';
import { BOOKING_SETTINGS, buildStack, cdkJsonSettings, FHIR_SETTING, FHIR_SETTING_WITHOUT_NOTIFY, fhirOn } from './stack';

const FIXTURE_DIR = `${PROJECT_ROOT}test/fixtures/templates/`;
const UPDATE = process.env.UPDATE_TEMPLATE_FIXTURES === '1';
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An object's own entries, or undefined for anything else (arrays included). */
function entriesOf(value: Json | undefined): [string, Json][] | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : undefined;
}

const ASSET_HASH = /\b[0-9a-f]{64}\b/g;
const IGNORED_METADATA = (key: string): boolean => key === 'aws:cdk:path' || key.startsWith('aws:asset:');

/**
 * A template with its keys in sorted order, asset hashes replaced by `<asset-hash>` and the `aws:cdk:path` and
 * `aws:asset:*` metadata removed (a Metadata object left empty goes too).
 */
function normalizeTemplate(value: Json, key?: string): Json {
  if (typeof value === 'string') return value.replace(ASSET_HASH, '<asset-hash>');
  if (Array.isArray(value)) return value.map((item) => normalizeTemplate(item));
  const entries = entriesOf(value);
  if (entries === undefined) return value;
  const kept = entries
    .filter(([name]) => !(key === 'Metadata' && IGNORED_METADATA(name)))
    .map(([name, item]): [string, Json] => [name, normalizeTemplate(item, name)])
    .filter(([name, item]) => !(name === 'Metadata' && entriesOf(item)?.length === 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(kept);
}

/** One difference: where (section, logical id, property path), what the fixture holds and what was synthesized. */
interface TemplateDifference {
  where: string;
  expected: string;
  got: string;
}

const shown = (value: Json | undefined): string => {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

function differencesAt(where: string, expected: Json | undefined, got: Json | undefined, out: TemplateDifference[]): void {
  if (JSON.stringify(expected) === JSON.stringify(got)) return;
  const expectedEntries = entriesOf(expected);
  const gotEntries = entriesOf(got);
  if (expectedEntries !== undefined && gotEntries !== undefined) {
    const keys = [...new Set([...expectedEntries, ...gotEntries].map(([name]) => name))].sort();
    for (const name of keys) differencesAt(`${where}.${name}`, expectedEntries.find(([k]) => k === name)?.[1], gotEntries.find(([k]) => k === name)?.[1], out);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(got) && expected.length === got.length) {
    expected.forEach((item, index) => differencesAt(`${where}[${index}]`, item, got[index], out));
    return;
  }
  out.push({ where, expected: shown(expected), got: shown(got) });
}

/**
 * Every difference between two (normalized) templates, by section and logical id: a resource only one side has is
 * one difference (`Resources.Table: expected {...}, got (absent)`), a changed property is one at its path
 * (`Resources.WebhookFunction.Properties.MemorySize`).
 */
function templateDifferences(expected: Json, got: Json): TemplateDifference[] {
  const out: TemplateDifference[] = [];
  differencesAt('', expected, got, out);
  return out.map((difference) => ({ ...difference, where: difference.where.replace(/^\./, '') }));
}

/** The differences as lines a reader can act on, the first 30 of them. */
const report = (differences: TemplateDifference[]): string[] => [
  ...differences.slice(0, 30).map(({ where, expected, got }) => `${where}: expected ${expected}, got ${got}`),
  ...(differences.length > 30 ? [`... and ${differences.length - 30} more`] : []),
];

const SLACK = { workspaceId: 'T0123456789', channelId: 'C0123456789' };

/** The deploy rehearsal's second stack (test/integration/deploy-rehearsal.test.ts): FHIR on, its own name and region. */
function rehearsalFhirTemplate(): Json {
  const app = testApp({ context: SKIP_BUNDLING });
  const stack = new RedrawTrackerStack(app, 'RedrawTrackerFhir', { settings: { ...cdkJsonSettings(), ...fhirOn() }, env: { account: '123456789012', region: LOCAL_REGION } });
  return Template.fromStack(stack).toJSON() as Json;
}

/** The app as `cdk synth` builds it (lib/app.ts): cdk.json's settings, its description, no account or region set. */
function appTemplate(): Json {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  delete process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_REGION;
  try {
    const { stack } = createApp({ outdir: testAssemblyDir(), context: { ...SKIP_BUNDLING, [SETTINGS_CONTEXT_KEY]: cdkJsonSettings() } });
    return Template.fromStack(stack).toJSON() as Json;
  } finally {
    if (saved.account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved.account;
    if (saved.region !== undefined) process.env.CDK_DEFAULT_REGION = saved.region;
  }
}

const withSettings = (settings: Partial<Settings>, region?: string) => (): Json => buildStack({ settings, region }).template.toJSON() as Json;

/** Each combination the tests synthesize (`buildStack` calls of test/), by fixture name; equal settings once. */
const COMBINATIONS: Record<string, () => Json> = {
  'cdk-json': withSettings({}),
  'cdk-json-us-east-1': withSettings({}, LOCAL_REGION),
  app: appTemplate,
  'alarm-email': withSettings({ alarmEmail: 'ops@example.org' }),
  'rate-limits': withSettings({ webhookRateLimit: 200, webhookBurstLimit: 500, apiRateLimit: 10, apiBurstLimit: 20 }),
  'no-webhook-alarm-168-hours': withSettings({ noWebhookAlarmHours: 168 }),
  'no-webhook-alarm-off': withSettings({ noWebhookAlarmHours: 0 }),
  'stale-flags-alarm-100': withSettings({ staleFlagsPerDayAlarm: 100 }),
  'stale-flags-alarm-off': withSettings({ staleFlagsPerDayAlarm: 0 }),
  'alarms-off': withSettings({ noWebhookAlarmHours: 0, staleFlagsPerDayAlarm: 0 }),
  'environment-prod': withSettings({ environmentName: 'prod', alertTimeZone: 'America/New_York' }),
  'follow-up-ack-48-hours': withSettings({ followUpAckHours: 48 }),
  'follow-up-missing-results-off': withSettings({ followUpMissingResults: false }),
  'appointment-grace-12-hours': withSettings({ appointmentGraceHours: 12 }),
  'digest-friday-berlin': withSettings({ digestDay: 'FRI', digestHour: 17, digestTimeZone: 'Europe/Berlin' }),
  'digest-off': withSettings({ weeklyDigest: false }),
  slack: withSettings({ slack: SLACK }),
  'slack-us-east-1': withSettings({ slack: SLACK }, LOCAL_REGION),
  'console-off': withSettings({ console: false }),
  'console-off-us-east-1': withSettings({ console: false }, LOCAL_REGION),
  'console-off-groups': withSettings({ console: false, consoleCloseGroup: 'leads', consoleBookingGroup: 'schedulers' }),
  'console-close-group': withSettings({ consoleCloseGroup: 'leads' }),
  'console-close-and-booking-group': withSettings({ consoleCloseGroup: 'leads', consoleBookingGroup: 'leads' }),
  booking: withSettings(BOOKING_SETTINGS),
  'console-plus': withSettings({ consoleTier: 'plus' }),
  fhir: withSettings(fhirOn()),
  'fhir-client-secret': withSettings(fhirOn({ baseUrl: FHIR_SETTING.baseUrl, tokenUrl: FHIR_SETTING.tokenUrl, clientId: 'tracker', clientSecretName: 'redraw-tracker/fhir/client_secret' })),
  'fhir-open-server': withSettings(fhirOn({ baseUrl: 'https://fhir.example.org/r4', orderSystem: 'https://example.org/junction-order' })),
  'fhir-custom': withSettings({
    ...fhirOn({ ...FHIR_SETTING_WITHOUT_NOTIFY, pollSeconds: 60, pollMax: 250, ehrActions: 'off' }),
    redrawStaleAfterDays: 9,
    redrawMissingAfterHours: 36,
    appointmentGraceHours: 12,
    consoleCloseGroup: 'leads',
  }),
  'fhir-slack': withSettings({ slack: SLACK, ...fhirOn() }),
  'fhir-slack-follow-up-48-hours': withSettings({ slack: SLACK, followUpAckHours: 48, ...fhirOn() }),
  'fhir-rehearsal': rehearsalFhirTemplate,
};

describe('the template comparison (made-up templates)', () => {
  const base = {
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST' }, Metadata: { 'aws:cdk:path': 'RedrawTracker/Table/Resource' } },
      WebhookFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { MemorySize: 256, Code: { S3Key: `${'ab12'.repeat(16)}.zip` }, Layers: ['a', 'b'] },
      },
    },
  };
  const changed = (edit: (template: typeof base) => void): Json => {
    const copy = structuredClone(base);
    edit(copy);
    return normalizeTemplate(copy);
  };

  it('finds none between a template and itself, with its asset hashes and construct paths changed', () => {
    const moved = changed((t) => {
      t.Resources.Table.Metadata['aws:cdk:path'] = 'RedrawTracker/Storage/Table/Resource';
      t.Resources.WebhookFunction.Properties.Code.S3Key = `${'cd34'.repeat(16)}.zip`;
    });
    expect(templateDifferences(normalizeTemplate(base), moved)).toEqual([]);
    expect(JSON.stringify(moved)).not.toContain('aws:cdk:path');
  });

  it('names a changed memory size by logical id and property path, expected against got', () => {
    const got = changed((t) => {
      t.Resources.WebhookFunction.Properties.MemorySize = 512;
    });
    expect(report(templateDifferences(normalizeTemplate(base), got))).toEqual(['Resources.WebhookFunction.Properties.MemorySize: expected 256, got 512']);
  });

  it('names a changed logical id as one resource gone and one come', () => {
    const { Table, ...rest } = base.Resources;
    const got = normalizeTemplate({ Resources: { ...rest, StorageTable1234ABCD: Table } });
    expect(templateDifferences(normalizeTemplate(base), got).map(({ where, expected, got }) => [where, expected === '(absent)', got === '(absent)'])).toEqual([
      ['Resources.StorageTable1234ABCD', true, false],
      ['Resources.Table', false, true],
    ]);
  });

  it('names an array that changed length whole, and a changed item by its index', () => {
    const longer = changed((t) => t.Resources.WebhookFunction.Properties.Layers.push('c'));
    const other = changed((t) => {
      t.Resources.WebhookFunction.Properties.Layers[1] = 'z';
    });
    expect(report(templateDifferences(normalizeTemplate(base), longer))).toEqual(['Resources.WebhookFunction.Properties.Layers: expected ["a","b"], got ["a","b","c"]']);
    expect(report(templateDifferences(normalizeTemplate(base), other))).toEqual(['Resources.WebhookFunction.Properties.Layers[1]: expected "b", got "z"']);
  });
});

describe('grouping constructs (lib/grouping.ts): the parts of the stack', () => {
  const logicalIds = (stack: Stack): string[] => Object.keys(Template.fromStack(stack).toJSON().Resources as object).sort();
  /** A queue at the top, and one in a construct that is not a grouping, as the stack held them before it had parts. */
  const ungrouped = (): string[] => {
    const stack = new Stack(testApp(), 'S');
    new Queue(stack, 'Table');
    new Queue(new Construct(stack, 'Monitoring'), 'Alarm');
    return logicalIds(stack);
  };

  it('leave their ids out of the logical ids of what they hold, at any depth, and other constructs keep theirs', () => {
    const stack = new GroupedStack(testApp(), 'S');
    new Queue(new Grouping(new Grouping(stack, 'Storage'), 'Inner'), 'Table');
    new Queue(new Grouping(new Construct(stack, 'Monitoring'), 'Webhooks'), 'Alarm');
    expect(logicalIds(stack)).toEqual(ungrouped());
  });

  it('would change every id they hold in a stack that does not leave them out', () => {
    const stack = new Stack(testApp(), 'S');
    new Queue(new Grouping(stack, 'Storage'), 'Table');
    new Queue(new Grouping(new Construct(stack, 'Monitoring'), 'Webhooks'), 'Alarm');
    expect(logicalIds(stack).filter((id) => ungrouped().includes(id))).toEqual([]);
  });

  it('refuse to synthesize two resources that only their groups told apart', () => {
    const stack = new GroupedStack(testApp(), 'S');
    new Queue(new Grouping(stack, 'Ingest'), 'Queue');
    new Queue(new Grouping(stack, 'Sweep'), 'Queue');
    expect(() => Template.fromStack(stack)).toThrow(/section 'Resources' already contains 'Queue/);
  });
});

describe('each synthesized template equals its fixture (test/fixtures/templates/), but for asset hashes and construct paths', () => {
  it.each(Object.keys(COMBINATIONS))('%s', (name) => {
    const build = COMBINATIONS[name];
    if (build === undefined) throw new Error(`no combination ${name}`);
    const got = normalizeTemplate(build());
    const file = `${FIXTURE_DIR}${name}.json`;
    if (UPDATE) {
      mkdirSync(FIXTURE_DIR, { recursive: true });
      writeFileSync(file, `${JSON.stringify(got, null, 2)}\n`);
    }
    if (!existsSync(file)) throw new Error(`no fixture ${file}: run UPDATE_TEMPLATE_FIXTURES=1 npx vitest run test/infra/templates.test.ts`);
    const expected = JSON.parse(readFileSync(file, 'utf8')) as Json;
    expect(report(templateDifferences(expected, got))).toEqual([]);
  }, 120_000);
});
