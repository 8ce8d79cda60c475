/**
 * CONTRACT §13 on AWS: what the sweep (the catch-up) and the query function (`fhir` in GET /follow-ups/{id})
 * get with the `fhir` setting, and that no other function gets a FHIR_ variable or the FHIR secret.
 */
import { describe, expect, it } from 'vitest';
import { FHIR_DEFAULTS } from '../../lib/settings';
import { byAction, fhirVariables, functionsOf, readersOf, secretArn, secretGrant } from './fhir-stack';
import { actionsOf, statementsOf } from './policies';
import { buildStack, type BuiltStack, FHIR_SETTING, fhirOn, sharedStack } from './stack';

/** Without the setting and with it: built once for the FHIR files (./stack.ts sharedStack). */
const [off, on] = [sharedStack(), sharedStack(fhirOn())];

describe('FHIR Tasks on: the sweep (catch-up) and the query function (`fhir` in GET /follow-ups/{id})', () => {
  it("gives the sweep the writer's FHIR settings and its secret, Query of the pending partition and deletes of the FHIR items", () => {
    expect(fhirVariables(on, 'stale-redraw-sweep')).toEqual(fhirVariables(on, 'fhir-writer'));
    const statements = statementsOf(on.stack, on.template, on.stack.staleRedrawSweep.role);
    const tableQueries = byAction(statements, 'dynamodb:Query').filter((statement) => !JSON.stringify(statement.Resource).includes('/index/'));
    expect(tableQueries.map((statement) => statement.Condition)).toEqual([{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORT#*', 'FHIR#PENDING*', 'FOLLOWUP#*'] } }]);
    expect(byAction(statements, 'dynamodb:DeleteItem').map((statement) => [statement.Action, statement.Condition])).toEqual([
      [['dynamodb:DeleteItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RESULTS#*', 'REPORT#unit-mark-hour*', 'FHIR#PENDING*'] } }],
    ]);
    expect(byAction(statements, 'secretsmanager:GetSecretValue').flatMap((statement) => statement.Resource)).toEqual([{ Ref: expect.stringMatching(/^JunctionApiKey/) }, secretGrant(FHIR_SETTING.privateKeySecretName)]);
    // Nothing else changes for it: the same actions as without the setting.
    expect([...actionsOf(on.stack, on.template, on.stack.staleRedrawSweep.role)].sort()).toEqual([...actionsOf(off.stack, off.template, off.stack.staleRedrawSweep.role)].sort());
  });

  it('gives the query function the base URL and the four systems (no token setting, no credential), and reads of the confirmation items', () => {
    expect(fhirVariables(on, 'query')).toEqual({
      FHIR_BASE_URL: FHIR_SETTING.baseUrl,
      FHIR_TASK_SYSTEM: FHIR_DEFAULTS.taskSystem,
      FHIR_CODE_SYSTEM: FHIR_DEFAULTS.codeSystem,
      FHIR_ORDER_SYSTEM: FHIR_DEFAULTS.orderSystem,
      FHIR_OWNER_SYSTEM: FHIR_DEFAULTS.ownerSystem,
    });
    // Its reads also reach the confirmation items (FHIRTASK#<id>), and nothing else changes.
    const getItem = byAction(statementsOf(on.stack, on.template, on.stack.query.role), 'dynamodb:GetItem');
    expect(JSON.stringify(getItem.map((statement) => statement.Condition))).toContain('"FHIRTASK#*"');
    expect(JSON.stringify(statementsOf(off.stack, off.template, off.stack.query.role))).not.toContain('FHIRTASK#');
    expect(JSON.stringify(statementsOf(on.stack, on.template, on.stack.query.role)).replaceAll(',"FHIRTASK#*"', '')).toEqual(JSON.stringify(statementsOf(off.stack, off.template, off.stack.query.role)));
  });

  it('gives the writer and the query function CONSOLE_URL (the Task links to its follow-up, and the digest covers it), as the sweep has it; neither without FHIR', () => {
    const consoleUrl = (built: BuiltStack, service: string) => functionsOf(built).get(service)?.Environment.Variables['CONSOLE_URL'];
    const sweeps = consoleUrl(on, 'stale-redraw-sweep');
    expect(sweeps).toBeDefined();
    expect(consoleUrl(on, 'fhir-writer')).toEqual(sweeps);
    expect(consoleUrl(on, 'query')).toEqual(sweeps);
    expect(consoleUrl(off, 'query')).toBeUndefined();
  });

  it('gives no other function a FHIR_ variable or the FHIR secret', () => {
    for (const service of functionsOf(on).keys()) {
      if (['fhir-writer', 'stale-redraw-sweep', 'query'].includes(service)) continue;
      // The notifications route: its secret and its queue, nothing of the FHIR server (issue 71).
      if (service === 'fhir-notifications') expect(Object.keys(fhirVariables(on, service)).sort(), service).toEqual(['FHIR_NOTIFY_QUEUE_URL', 'FHIR_NOTIFY_SECRET_ARN']);
      else expect(fhirVariables(on, service), service).toEqual({});
    }
    expect(readersOf(on, 'fhir/private_key')).toEqual(['RedrawTracker/Fhir/Writer', 'RedrawTracker/StaleRedrawSweep']);
  });

  it('with a client secret, passes FHIR_CLIENT_SECRET_ARN (no key, no kid); without a token URL, no token setting and no secret at all', () => {
    const withSecret = buildStack({ settings: fhirOn({ baseUrl: FHIR_SETTING.baseUrl, tokenUrl: FHIR_SETTING.tokenUrl, clientId: 'tracker', clientSecretName: 'redraw-tracker/fhir/client_secret' }) });
    expect(fhirVariables(withSecret, 'fhir-writer')).toMatchObject({ FHIR_CLIENT_SECRET_ARN: secretArn('redraw-tracker/fhir/client_secret'), FHIR_CLIENT_ID: 'tracker' });
    expect(Object.keys(fhirVariables(withSecret, 'fhir-writer'))).not.toContain('FHIR_PRIVATE_KEY_SECRET_ARN');
    expect(Object.keys(fhirVariables(withSecret, 'fhir-writer'))).not.toContain('FHIR_KEY_ID');
    const open = buildStack({ settings: fhirOn({ baseUrl: 'https://fhir.example.org/r4', orderSystem: 'https://example.org/junction-order' }) });
    expect(Object.keys(fhirVariables(open, 'fhir-writer')).sort()).toEqual([
      'FHIR_BASE_URL', 'FHIR_CATCH_UP_PER_SWEEP', 'FHIR_CODE_SYSTEM', 'FHIR_EHR_ACTIONS', 'FHIR_EHR_CLOSES', 'FHIR_ORDER_SYSTEM', 'FHIR_OWNER_SYSTEM', 'FHIR_POLL_MAX', 'FHIR_POLL_SECONDS', 'FHIR_SCOPE', 'FHIR_TASK_SYSTEM',
    ]);
    expect(fhirVariables(open, 'query')).toMatchObject({ FHIR_ORDER_SYSTEM: 'https://example.org/junction-order' });
    expect(JSON.stringify(open.template.toJSON())).not.toContain('secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":[{"Fn::Join"');
  }, 120_000);
});
