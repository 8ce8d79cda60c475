/**
 * Core's tests mirror core/ (issue 74): every test under test/unit/core/ is
 * named after a module of functions/core/, and no unit or integration test
 * elsewhere tests only core (test/support/core-test-layout.ts says the rule).
 */
import { describe, expect, it } from 'vitest';
import { coreTestBreaches, readTestTree, type TestTree } from '../support/core-test-layout';

/** A made-up tree: core has members.ts and follow-up/due.ts; each file imports what it lists. */
function tree(imports: Record<string, string[]>): TestTree {
  return { coreModules: ['members', 'follow-up/due'], imports: new Map(Object.entries(imports)) };
}

describe('the layout of core’s tests', () => {
  it('holds in the repository', () => {
    expect(coreTestBreaches(readTestTree())).toEqual([]);
  });

  it('takes a module’s name, an aspect after a dot, a folder of core, and a helper beside them', () => {
    const good = tree({
      'test/unit/core/members.test.ts': ['functions/core/members.ts'],
      'test/unit/core/members.reconcile.test.ts': ['functions/core/members.ts', 'test/support/records.ts'],
      'test/unit/core/follow-up/due.test.ts': ['functions/core/follow-up/due.ts', 'test/unit/core/follow-up/support.ts'],
      'test/unit/core/follow-up/support.ts': ['functions/core/follow-up/due.ts'],
      'test/support/records.ts': ['functions/core/members.ts'],
    });
    expect(coreTestBreaches(good)).toEqual([]);
  });

  it('names a test in test/unit/core/ after no module, or after one in another folder', () => {
    const bad = tree({
      'test/unit/core/reconcile-rules.test.ts': ['functions/core/members.ts'],
      'test/unit/core/due.test.ts': ['functions/core/follow-up/due.ts'],
      'test/unit/core/members-extra.test.ts': ['functions/core/members.ts'],
    });
    expect(coreTestBreaches(bad)).toEqual([
      'test/unit/core/due.test.ts is named after no module of functions/core/ (due.ts)',
      'test/unit/core/members-extra.test.ts is named after no module of functions/core/ (members-extra.ts)',
      'test/unit/core/reconcile-rules.test.ts is named after no module of functions/core/ (reconcile-rules.ts)',
    ]);
  });

  it('finds a unit or integration test elsewhere that reaches only core, directly or through a fixture of core’s', () => {
    const bad = tree({
      'test/unit/members.test.ts': ['functions/core/members.ts', 'test/support/records.ts'],
      'test/integration/members.test.ts': ['test/support/records.ts'],
      'test/support/records.ts': ['functions/core/members.ts'],
    });
    expect(coreTestBreaches(bad)).toEqual([
      'test/integration/members.test.ts tests only functions/core/ (functions/core/members.ts): it belongs in test/unit/core/ under its module\'s name',
      'test/unit/members.test.ts tests only functions/core/ (functions/core/members.ts): it belongs in test/unit/core/ under its module\'s name',
    ]);
  });

  it('leaves a test of something else that borrows core: another room, a helper reaching another, a tool, the e2e and browser layers', () => {
    const fine = tree({
      'test/unit/webhook.test.ts': ['functions/core/svix.ts', 'functions/webhook/app.ts'],
      'test/unit/standin.test.ts': ['functions/core/schemas.ts', 'test/support/junction.ts'],
      'test/support/junction.ts': ['local/junction/flows.ts'],
      'test/unit/query-openapi.test.ts': ['functions/core/members.ts', 'test/support/openapi.ts'],
      'test/support/openapi.ts': [],
      'test/e2e/digest.test.ts': ['functions/core/svix.ts'],
      'test/browser/console-find.test.ts': ['functions/core/svix.ts'],
      'test/unit/readme.test.ts': [],
    });
    expect(coreTestBreaches(fine)).toEqual([]);
  });
});
