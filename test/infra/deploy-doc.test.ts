/**
 * docs/deploy.md's lists, held to the stack (issue 27, item 7): every setting of
 * lib/settings.ts, every output, alarm and function (with its IAM actions) of the
 * synthesized template, and every resource a teardown leaves behind. A setting,
 * output, alarm, function or retained resource added to the stack fails here until
 * the page documents it; a row for something the stack no longer has fails too.
 *
 * The stack is built with every optional part on (Slack, the follow-up reminder,
 * both optional alarms, FHIR Tasks), so that nothing escapes because cdk.json turns it off.
 *
 * Every count the page gives that a template can give (alarms, the metrics they watch,
 * functions, log groups, KMS keys; issue 33, item 7) is computed here from the template
 * as cdk.json builds it and with each optional setting the page names, and a count of
 * those written anywhere else on the page, in words or digits, fails.
 */
import { readFileSync } from 'node:fs';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DIGEST_KIND } from '../../functions/core/digest';
import { APPOINTMENT_EVENT_TYPES, TRACKED_EVENT_TYPES } from '../../functions/core/schemas';
import { SETTINGS_CONTEXT_KEY } from '../../lib/settings';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { allStatements } from './policies';
import { buildStack, cdkJsonSettings, fhirOn, sharedStack, type BuiltStack } from './stack';

const DOC = readFileSync(`${PROJECT_ROOT}docs/deploy.md`, 'utf8');

/**
 * The text under the first heading line that starts with `heading` (e.g. `## Outputs`),
 * up to the next heading of the same or a higher level; '' when there is none.
 */
function section(doc: string, heading: string): string {
  const level = heading.indexOf(' ');
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  let inCode = false;
  const end = rest.findIndex((line) => {
    if (line.startsWith('```')) inCode = !inCode;
    const hashes = /^(#+) /.exec(line)?.[1]?.length;
    return !inCode && hashes !== undefined && hashes <= level;
  });
  return rest.slice(0, end < 0 ? undefined : end).join('\n');
}

/** The body rows of the first Markdown table in `text`, as trimmed cells (header and rule left out). */
function firstTable(text: string): string[][] {
  // Tables may be indented under a list item.
  const lines = text.split('\n').map((line) => line.trimStart());
  const start = lines.findIndex((line, i) => line.startsWith('|') && /^\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i + 1] ?? ''));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((cell) => cell.trim()));
  }
  return rows;
}

/** The `code` spans of a cell. */
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');

/** The names a section's table lists: the code spans of each row's first cell. */
function listedNames(doc: string, heading: string): string[] {
  return firstTable(section(doc, heading)).flatMap((row) => codeSpans(row[0] ?? ''));
}

/** What the stack has that the page does not list, and what the page lists that the stack does not have. */
function drift(expected: Iterable<string>, documented: Iterable<string>): { undocumented: string[]; notInStack: string[] } {
  const want = new Set(expected);
  const have = new Set(documented);
  return {
    undocumented: [...want].filter((name) => !have.has(name)).sort(),
    notInStack: [...have].filter((name) => !want.has(name)).sort(),
  };
}

const SETTINGS_HEADING = '## Settings';
const OUTPUTS_HEADING = '## Outputs';
const ALARMS_HEADING = '### Alarms';
const IAM_HEADING = '### IAM actions of each function';
const TEARDOWN_HEADING = '## Teardown';
const JUNCTION_HEADING = "### What Junction's dashboard needs";
const SUBSCRIPTIONS_HEADING = '## Subscriptions';

/** The settings cdk.json holds, as written (a required key without a default is only here). */
function rawCdkJsonKeys(): string[] {
  const cdkJson = z
    .object({ context: z.object({ [SETTINGS_CONTEXT_KEY]: z.record(z.string(), z.unknown()) }) })
    .parse(JSON.parse(readFileSync(`${PROJECT_ROOT}cdk.json`, 'utf8')));
  return Object.keys(cdkJson.context[SETTINGS_CONTEXT_KEY] ?? {});
}

/**
 * Every setting lib/settings.ts knows: the keys of the parsed committed settings (the
 * schema fills each default, so a new setting with a default appears here) and the keys
 * cdk.json holds (a new required setting must be there, or synth fails).
 */
function settingNames(): string[] {
  return [...new Set([...Object.keys(cdkJsonSettings()), ...rawCdkJsonKeys()])];
}

const TemplateJson = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), DeletionPolicy: z.string().optional(), Properties: z.record(z.string(), z.unknown()).optional() })),
  Outputs: z.record(z.string(), z.unknown()),
});

const LambdaProperties = z.object({
  Role: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
  Environment: z.object({ Variables: z.object({ POWERTOOLS_SERVICE_NAME: z.string() }) }),
});

let built: BuiltStack;
let template: z.output<typeof TemplateJson>;
beforeAll(() => {
  built = buildStack({
    settings: {
      slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' },
      followUpAckHours: 48,
      noWebhookAlarmHours: 24,
      staleFlagsPerDayAlarm: 25,
      ...fhirOn(),
    },
  });
  template = TemplateJson.parse(built.template.toJSON());
}, 120_000);

/** Alarm names as the page gives them: each CfnAlarm's construct id (e.g. `Webhook5xxRate`), with its logical id. */
function alarms(): { name: string; logicalId: string }[] {
  return built.stack.node
    .findAll()
    .filter((construct): construct is CfnAlarm => construct instanceof CfnAlarm)
    .map((cfn) => ({ name: cfn.node.scope?.node.id ?? '', logicalId: String(built.stack.resolve(cfn.logicalId)) }));
}

/**
 * The name the page gives CDK's BucketDeployment helper (the console's upload): the one function of the
 * template that is not the tracker's (no service name), listed in the same table with the actions of its
 * role's own policy; its managed policy (AWSLambdaBasicExecutionRole) is named beside it.
 */
const DEPLOYMENT_HELPER = 'Custom::CDKBucketDeployment';

/** The actions of the AWS-managed policies a role of the template may have (AWS's definitions, not the template's). */
const MANAGED_POLICY_ACTIONS: Record<string, readonly string[]> = {
  AWSLambdaBasicExecutionRole: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
};

const HelperRole = z.object({ ManagedPolicyArns: z.array(z.unknown()).default([]) });

/** Each function of the template by its service name (the deployment helper by DEPLOYMENT_HELPER), with every IAM action its role's policies allow. */
function functionActions(): Map<string, Set<string>> {
  const statements = allStatements(built.template);
  const result = new Map<string, Set<string>>();
  for (const [logicalId, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
    if (logicalId.startsWith(DEPLOYMENT_HELPER.replace('::', ''))) {
      const helper = z.object({ Role: LambdaProperties.shape.Role }).parse(resource.Properties);
      const roleId = helper.Role['Fn::GetAtt'][0];
      const roleRef = JSON.stringify({ Ref: roleId });
      const actions = statements.filter(({ roles, statement }) => statement.Effect === 'Allow' && roles.some((role) => JSON.stringify(role) === roleRef)).flatMap(({ statement }) => statement.Action);
      // Its role's managed policies, as the template names them; each must be one whose actions are known here.
      const managed = HelperRole.parse(template.Resources[roleId]?.Properties).ManagedPolicyArns.map((arn) => JSON.stringify(arn));
      for (const arn of managed) {
        const known = Object.entries(MANAGED_POLICY_ACTIONS).find(([name]) => arn.endsWith(`:iam::aws:policy/service-role/${name}"]]}`));
        if (known === undefined) throw new Error(`the deployment helper has a managed policy this test does not know: ${arn}`);
        actions.push(...known[1]);
      }
      if (result.has(DEPLOYMENT_HELPER)) throw new Error('a second deployment helper');
      result.set(DEPLOYMENT_HELPER, new Set(actions));
      continue;
    }
    const fn = LambdaProperties.parse(resource.Properties);
    const roleRef = JSON.stringify({ Ref: fn.Role['Fn::GetAtt'][0] });
    const actions = statements
      .filter(({ roles, statement }) => statement.Effect === 'Allow' && roles.some((role) => JSON.stringify(role) === roleRef))
      .flatMap(({ statement }) => statement.Action);
    result.set(fn.Environment.Variables.POWERTOOLS_SERVICE_NAME, new Set(actions));
  }
  return result;
}

describe("docs/deploy.md's parser (what the comparisons below rely on)", () => {
  it('names a setting, an output and an alarm whose row is taken out of the page', () => {
    const without = (prefix: string) => DOC.split('\n').filter((line) => !line.startsWith(prefix)).join('\n');
    expect(drift(settingNames(), listedNames(without('| `retentionDays` |'), SETTINGS_HEADING)).undocumented).toEqual(['retentionDays']);
    expect(drift(Object.keys(template.Outputs), listedNames(without('| `WebhookUrl` |'), OUTPUTS_HEADING)).undocumented).toEqual(['WebhookUrl']);
    const alarmNames = alarms().map((alarm) => alarm.name);
    expect(drift(alarmNames, listedNames(without('| `StaleFlagsSurge` |'), ALARMS_HEADING)).undocumented).toEqual(['StaleFlagsSurge']);
  });

  it('names a row the stack does not have', () => {
    const extra = DOC.replace('| `alarmEmail` |', '| `alarmEmails` | x | y |\n| `alarmEmail` |');
    expect(drift(settingNames(), listedNames(extra, SETTINGS_HEADING))).toEqual({ undocumented: [], notInStack: ['alarmEmails'] });
  });
});

describe('docs/deploy.md against lib/settings.ts and the synthesized template', () => {
  it('lists every setting of lib/settings.ts (cdk.json `redrawTracker`), and no other', () => {
    expect(settingNames().length).toBeGreaterThanOrEqual(20);
    expect(drift(settingNames(), listedNames(DOC, SETTINGS_HEADING))).toEqual({ undocumented: [], notInStack: [] });
  });

  it('lists every output of the stack, and no other', () => {
    expect(Object.keys(template.Outputs)).toContain('WebhookUrl');
    expect(drift(Object.keys(template.Outputs), listedNames(DOC, OUTPUTS_HEADING))).toEqual({ undocumented: [], notInStack: [] });
  });

  it('lists every alarm of the template by name, and no other', () => {
    const found = alarms();
    const inTemplate = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([logicalId]) => logicalId);
    // The names below are those of exactly the template's alarms.
    expect(found.map((alarm) => alarm.logicalId).sort()).toEqual(inTemplate.sort());
    // The committed stack's, Slack's chat-button errors, and FHIR's (CONTRACT §13: 12; issue 69 added three, issue 70 three;
    // issue 71's notifications three: their refusals, their dead letters, the route's errors; issue 82 their queue's age
    // and the sweep's history gaps; issue 83 the booking's three).
    expect(found).toHaveLength(50);
    expect(drift(found.map((alarm) => alarm.name), listedNames(DOC, ALARMS_HEADING))).toEqual({ undocumented: [], notInStack: [] });
  });

  it("lists every function with exactly the IAM actions its role is allowed", () => {
    const rows = firstTable(section(DOC, IAM_HEADING));
    const documented = new Map(rows.map((row) => [codeSpans(row[0] ?? '')[0] ?? '', new Set(codeSpans(row[1] ?? '').filter((span) => /^[a-z0-9-]+:[A-Za-z*]+$/.test(span)))]));
    const actual = functionActions();
    // The ten functions of the tracker with every optional part on (the FHIR writer and notifications route too), and CDK's deployment helper.
    expect(actual.size).toBe(11);
    expect(actual.has(DEPLOYMENT_HELPER)).toBe(true);
    expect(drift(actual.keys(), documented.keys())).toEqual({ undocumented: [], notInStack: [] });
    for (const [service, actions] of actual) {
      expect(drift(actions, documented.get(service) ?? []), service).toEqual({ undocumented: [], notInStack: [] });
    }
  });

  it('says what a teardown leaves behind, how many of each (as cdk.json builds the stack), and the command that deletes each kind', () => {
    const teardown = section(DOC, TEARDOWN_HEADING);
    // The column's first number is the stack as cdk.json builds it; the variants in brackets are held below.
    const asCommitted = TemplateJson.parse(sharedStack().template.toJSON());
    const DELETE_COMMAND: Record<string, string> = {
      'AWS::DynamoDB::Table': 'aws dynamodb delete-table',
      'AWS::KMS::Key': 'aws kms schedule-key-deletion',
      'AWS::Logs::LogGroup': 'aws logs delete-log-group',
      'AWS::Cognito::UserPool': 'aws cognito-idp delete-user-pool',
      'AWS::S3::Bucket': 'aws s3 rb',
    };
    const retained = new Map<string, number>();
    for (const resource of Object.values(asCommitted.Resources).filter((r) => r.DeletionPolicy === 'Retain')) {
      retained.set(resource.Type, (retained.get(resource.Type) ?? 0) + 1);
    }
    // Every optional part on retains nothing of a kind the committed stack does not.
    const retainedTypes = new Set(Object.values(template.Resources).filter((r) => r.DeletionPolicy === 'Retain').map((r) => r.Type));
    expect([...retainedTypes].sort()).toEqual([...retained.keys()].sort());
    const rows = firstTable(teardown);
    const documented = new Map(rows.map((row) => [codeSpans(row[0] ?? '')[0] ?? '', Number(/^\d+/.exec(row[1] ?? '')?.[0])]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(retained));
    for (const type of retained.keys()) {
      expect(DELETE_COMMAND[type], `how to delete a retained ${type}`).toBeDefined();
      expect(teardown).toContain(DELETE_COMMAND[type]);
    }
  }, 120_000);
});

/** How many resources of `type` the template has. */
function countOf(of: z.output<typeof TemplateJson>, type: string): number {
  return Object.values(of.Resources).filter((resource) => resource.Type === type).length;
}

const AlarmProperties = z.object({
  MetricName: z.string().optional(),
  Metrics: z.array(z.object({ MetricStat: z.unknown().optional() })).optional(),
});

/** The metrics the template's alarms watch, as CloudWatch bills them: one per plain alarm, one per metric a math alarm reads. */
function alarmMetrics(of: z.output<typeof TemplateJson>): number {
  return Object.values(of.Resources)
    .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map((resource) => AlarmProperties.parse(resource.Properties))
    .reduce((sum, alarm) => sum + (alarm.MetricName === undefined ? (alarm.Metrics ?? []).filter((metric) => metric.MetricStat !== undefined).length : 1), 0);
}

/** Resources of `type` the template keeps on a teardown. */
function retainedOf(of: z.output<typeof TemplateJson>, type: string): number {
  return Object.values(of.Resources).filter((resource) => resource.Type === type && resource.DeletionPolicy === 'Retain').length;
}

/**
 * The counts the page gives, each where it is written once: a pattern whose numbers are
 * captured, and what the template (as cdk.json builds it, or with one optional setting
 * changed, as the page says) has instead.
 */
interface CountClaim {
  readonly what: string;
  readonly pattern: RegExp;
  readonly expected: () => number[];
}

/** Every way the page may write a count of alarms, functions, log groups or keys: words or digits. */
const ANY_COUNT =
  /\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|(?:twenty|thirty|forty)(?:-[a-z]+)?|both)\b(?:\s+(?:more|fewer|KMS|CloudWatch|retained|of the))*\s+(?:alarms?|functions?|log groups?|keys?)\b(?![\s-]+metrics?\b)/gi;

describe("docs/deploy.md's counts, drawn from the synthesized template", () => {
  const SLACK = { slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' } } as const;
  const templates = new Map<string, z.output<typeof TemplateJson>>();
  /** The template as cdk.json builds it ('cdk.json'), or with the named settings changed. */
  const templateWith = (name: string): z.output<typeof TemplateJson> => {
    const found = templates.get(name);
    if (found === undefined) throw new Error(`no template built for ${name}`);
    return found;
  };
  beforeAll(() => {
    const variants: Record<string, Parameters<typeof buildStack>[0]> = {
      'cdk.json': {},
      'alarms off': { settings: { noWebhookAlarmHours: 0, staleFlagsPerDayAlarm: 0 } },
      'no digest': { settings: { weeklyDigest: false } },
      slack: { settings: SLACK },
      'no console': { settings: { console: false } },
    };
    for (const [name, options] of Object.entries(variants)) templates.set(name, TemplateJson.parse(buildStack(options).template.toJSON()));
  }, 120_000);

  const alarmCount = (name: string) => countOf(templateWith(name), 'AWS::CloudWatch::Alarm');
  const functionCount = (name: string) => countOf(templateWith(name), 'AWS::Lambda::Function');
  const keyCount = () => countOf(templateWith('cdk.json'), 'AWS::KMS::Key');
  const dollars = (amount: number) => amount.toFixed(2);

  const CLAIMS: CountClaim[] = [
    {
      what: 'alarms ("Alarms")',
      pattern: /\*\*(\d+) alarms\*\* \((\d+) with `noWebhookAlarmHours` and `staleFlagsPerDayAlarm` at `0`, (\d+) without `weeklyDigest`, (\d+) with `slack`\)/,
      expected: () => [alarmCount('cdk.json'), alarmCount('alarms off'), alarmCount('no digest'), alarmCount('slack')],
    },
    {
      what: 'functions ("What gets deployed")',
      pattern: /\*\*(\d+) functions\*\* \((\d+) without `weeklyDigest`, (\d+) with `slack`, (\d+) with `console` false;/,
      expected: () => [functionCount('cdk.json'), functionCount('no digest'), functionCount('slack'), functionCount('no console')],
    },
    {
      what: 'KMS keys ("What gets deployed")',
      pattern: /\*\*(\d+) KMS keys\*\*: `TableKey`/,
      expected: () => [keyCount()],
    },
    {
      what: 'alarms and the metrics they watch (the cost\'s assumptions)',
      pattern: /Alarms: \*\*(\d+) alarms watching (\d+) metrics\*\*/,
      expected: () => [alarmCount('cdk.json'), alarmMetrics(templateWith('cdk.json'))],
    },
    {
      what: 'alarm metrics and their price (the cost table, $0.10 each)',
      pattern: /\| CloudWatch alarms \| (\d+) × \$0\.10 = \*\*\$(\d+)\.(\d+)\*\* \| \*\*\$(\d+)\.(\d+)\*\* \| \*\*\$(\d+)\.(\d+)\*\* \|/,
      expected: () => {
        const metrics = alarmMetrics(templateWith('cdk.json'));
        const price = dollars(metrics * 0.1).split('.').map(Number);
        return [metrics, ...price, ...price, ...price];
      },
    },
    {
      what: 'KMS keys and their price (the cost table, $1 each in year one)',
      pattern: /\| KMS \| (\d+) keys: \*\*\$(\d+)\.(\d+)\*\*/,
      expected: () => [keyCount(), ...dollars(keyCount()).split('.').map(Number)],
    },
    {
      what: 'log groups kept by a teardown ("Teardown")',
      pattern: /\| `AWS::Logs::LogGroup`: one per function and the API's access logs \| (\d+) \((\d+) without `weeklyDigest`, (\d+) with `slack`, (\d+) with `console` false\) \|/,
      expected: () => ['cdk.json', 'no digest', 'slack', 'no console'].map((name) => retainedOf(templateWith(name), 'AWS::Logs::LogGroup')),
    },
  ];

  it('gives the log groups one per function and one for the API, retained', () => {
    for (const name of ['cdk.json', 'no digest', 'slack', 'no console']) {
      const of = templateWith(name);
      expect(retainedOf(of, 'AWS::Logs::LogGroup'), name).toBe(countOf(of, 'AWS::Lambda::Function') + 1);
      expect(retainedOf(of, 'AWS::Logs::LogGroup'), name).toBe(countOf(of, 'AWS::Logs::LogGroup'));
    }
  });

  for (const claim of CLAIMS) {
    it(`writes the template's count of ${claim.what}`, () => {
      const match = claim.pattern.exec(DOC);
      expect(match, `docs/deploy.md no longer says ${claim.what} as ${String(claim.pattern)}`).not.toBeNull();
      expect(match?.slice(1).map(Number)).toEqual(claim.expected());
    });
  }

  it('writes no other count of alarms, functions, log groups or keys (each is one of the claims above)', () => {
    const checked = CLAIMS.flatMap((claim) => {
      const match = claim.pattern.exec(DOC);
      return match === null ? [] : [{ from: match.index, to: match.index + match[0].length }];
    });
    const unchecked = [...DOC.matchAll(ANY_COUNT)]
      .filter((match) => !checked.some(({ from, to }) => match.index >= from && match.index < to))
      .map((match) => match[0]);
    expect(unchecked).toEqual([]);
  });

  it('finds a count written by hand outside the claims, in words or digits', () => {
    const extra = `${DOC}\nTwenty-six alarms, eight functions, nine log groups and both keys.\n`;
    expect([...extra.matchAll(ANY_COUNT)].map((match) => match[0]).slice(-4)).toEqual(['Twenty-six alarms', 'eight functions', 'nine log groups', 'both keys']);
  });
});

describe('"Subscriptions"', () => {
  /** The `kind` message attribute of the sweep's alerts (functions/notices/) and of the digest. */
  const KINDS = ['alert', DIGEST_KIND];
  const FilterPolicy = z.record(z.string(), z.array(z.string()));

  it('subscribes to topics the stack outputs, never filters the alarm topic, and filters on kinds the tracker sends', () => {
    const rows = firstTable(section(DOC, SUBSCRIPTIONS_HEADING));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const [who = '', topicCell = '', filterCell = ''] of rows) {
      const [topic] = codeSpans(topicCell);
      expect(Object.keys(template.Outputs), who).toContain(topic);
      if (filterCell === 'none') continue;
      expect(topic, `${who}: CloudWatch's alarm messages carry no kind`).not.toBe('AlarmTopicArn');
      const policy = FilterPolicy.parse(JSON.parse(codeSpans(filterCell)[0] ?? ''));
      expect(KINDS, who).toEqual(expect.arrayContaining(policy['kind'] ?? ['(no kind)']));
    }
    const recipes = section(DOC, SUBSCRIPTIONS_HEADING);
    expect(recipes).toContain('<AlarmTopicArn> --protocol email');
    expect(recipes).not.toMatch(/<AlarmTopicArn>[^\n]*\\\n[^\n]*FilterPolicy/);
  });
});

describe('"Before you deploy"', () => {
  it("lists exactly the event types the webhook handles for Junction's dashboard", () => {
    const handled = [...TRACKED_EVENT_TYPES, ...APPOINTMENT_EVENT_TYPES];
    expect(drift(handled, listedNames(DOC, JUNCTION_HEADING))).toEqual({ undocumented: [], notInStack: [] });
  });

  it('points Junction at the WebhookUrl output, never at a URL built from ApiUrl', () => {
    expect(section(DOC, JUNCTION_HEADING)).toContain('`WebhookUrl`');
    expect(DOC).not.toMatch(/<ApiUrl>\/?webhooks/);
  });

  it("gives the Node version package.json's engines require", () => {
    const PackageJson = z.object({ engines: z.object({ node: z.string() }) });
    const engines = PackageJson.parse(JSON.parse(readFileSync(`${PROJECT_ROOT}package.json`, 'utf8'))).engines.node;
    const version = /\d+\.\d+/.exec(engines)?.[0];
    expect(version).toBeDefined();
    expect(section(DOC, '### What you need')).toContain(`Node.js ${version} or newer`);
  });

  it('ends the deploy steps with the smoke test', () => {
    expect(section(DOC, '## First deploy')).toContain('Last step: `npx redraw-tracker smoke --stack RedrawTracker` (see below)');
  });
});
