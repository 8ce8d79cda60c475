/**
 * README.md's claims about the stack, held to the synthesized template (issue 43
 * item 11): the HIPAA.Security rules its "Security checks" paragraph says remain
 * (how many, and each by name), and what its "Clean up" says a teardown leaves
 * (every resource the template retains, with how to delete it).
 */
import { readFileSync } from 'node:fs';
import { HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { buildStack, sharedStack } from './stack';

const README = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');

/** The README's text from `start` up to the next heading of any level. */
function section(start: string): string {
  const from = README.indexOf(start);
  expect(from, start).toBeGreaterThanOrEqual(0);
  const rest = README.slice(from + start.length);
  const end = rest.search(/^#{1,6} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

const NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12 };

describe('README.md', () => {
  it('counts and names the HIPAA.Security rules the pack reports, with the console and without it', () => {
    const paragraph = section('**Security checks.**');
    const said = /still reports (\w+) rules with the\s+console \((\w+) with `console` false\)/.exec(paragraph);
    expect(said, 'the sentence that counts the rules').not.toBeNull();
    const rulesOf = (console: boolean) => [...new Set(new HIPAASecurityChecks().validateScope(buildStack({ settings: { console } }).app).violations.map((v) => v.ruleName.replace(/^HIPAA\.Security-/, '')))].sort();
    const withConsole = rulesOf(true);
    const without = rulesOf(false);
    expect(NUMBERS[said![1]!]).toBe(withConsole.length);
    expect(NUMBERS[said![2]!]).toBe(without.length);
    const named = [...paragraph.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((match) => match[1]!).filter((word) => !['WeeklyDigestErrors'].includes(word));
    expect([...new Set(named)].sort()).toEqual(withConsole);
  }, 120_000);

  it('lists under "Clean up" every resource a teardown retains, each with how to delete it', () => {
    const { template } = sharedStack();
    const resources = Object.values(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>);
    const retained = resources.filter((resource) => resource.DeletionPolicy === 'Retain');
    // How the README names each retained type, and the command that deletes it.
    const listed: Record<string, { words: string; deletes: RegExp }> = {
      'AWS::DynamoDB::Table': { words: 'the **table**', deletes: /aws dynamodb delete-table/ },
      'AWS::Logs::LogGroup': { words: 'the **log groups**', deletes: /aws logs delete-log-group/ },
      'AWS::Cognito::UserPool': { words: 'its **user pool**', deletes: /aws\s+cognito-idp delete-user-pool/ },
      'AWS::S3::Bucket': { words: 'its **access-log bucket**', deletes: /aws s3 rb/ },
      'AWS::KMS::Key': { words: '**both KMS keys**', deletes: /aws kms schedule-key-deletion/ },
    };
    const types = [...new Set(retained.map((resource) => resource.Type))].sort();
    expect(types).toEqual(Object.keys(listed).sort());
    const cleanUp = section('## Clean up');
    for (const type of types) {
      const item = cleanUp.split('\n- ').find((entry) => entry.includes(listed[type]!.words));
      expect(item, `${type}: "${listed[type]!.words}"`).toBeDefined();
      expect(item, type).toMatch(listed[type]!.deletes);
    }
    expect(retained.filter((resource) => resource.Type === 'AWS::KMS::Key')).toHaveLength(2);
    const logGroups = /\((\d+) with the default settings;/.exec(cleanUp);
    expect(Number(logGroups?.[1])).toBe(retained.filter((resource) => resource.Type === 'AWS::Logs::LogGroup').length);
  }, 120_000);
});
