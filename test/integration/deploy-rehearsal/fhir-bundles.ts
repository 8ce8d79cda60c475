/**
 * The deploy rehearsal (../deploy-rehearsal.test.ts), the stack with `fhir` on (CONTRACT §13): the FHIR
 * variables the template gives, and the writer's bundle invoked as its three sources would (the stream
 * records its filter lets through, its poll schedule, its notices' queue) against the FHIR stand-in, then
 * the query function's `fhir`, all within their grants.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { LOCAL_REGION } from '../../../local/dynamodb-local';
import { toLambdaRecord } from '../../../local/stream-reader';
import { FHIR_SETTING } from '../../infra/stack';
import { passesFilter } from '../../support/event-filter';
import { queryEvent, resultOf, scheduledEvent } from '../../support/rehearsal/events';
import { ACCOUNT, FHIR_STACK, type RehearsalStage, STACK } from '../../support/rehearsal/stage';

/** The FHIR stack's writer and query bundles, invoked after the story's follow-ups were opened. */
export function rehearseFhirBundles(stage: RehearsalStage): void {
  const { deploy, streamRecordsAfter } = stage;
  const { ids } = stage.story;
  /** The stream filter of the writer's mapping, as the template gives it. */
  const writerFilter = (): { dynamodb: { Keys: Record<string, { S: string[] }>; NewImage: Record<string, unknown> } } => {
    const template = stage.template(FHIR_STACK);
    const writer = stage.fhirDeployment.functions.find((candidate) => candidate.service === 'fhir-writer')!;
    // The writer's mapping of the table's stream (its other mapping is of the notices' queue, issue 71).
    const [mapping, ...more] = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        stage.fhirDeployment.resolve((resource.Properties as { FunctionName: unknown }).FunctionName) === writer.name &&
        stage.fhirDeployment.resolve((resource.Properties as { EventSourceArn: unknown }).EventSourceArn) === stage.streamArn,
    );
    expect(more).toEqual([]);
    const { Filters } = (mapping?.Properties as { FilterCriteria: { Filters: { Pattern: string }[] } }).FilterCriteria;
    expect(Filters).toHaveLength(1);
    return JSON.parse(Filters[0]!.Pattern) as { dynamodb: { Keys: Record<string, { S: string[] }>; NewImage: Record<string, unknown> } };
  };

  it('gives the writer, the sweep and the query function the FHIR variables, the credential by its secret\'s ARN', () => {
    const env = (service: string) => stage.fhirDeployment.functions.find((candidate) => candidate.service === service)!.environment;
    const secretArn = `arn:aws:secretsmanager:${LOCAL_REGION}:${ACCOUNT}:secret:${FHIR_SETTING.privateKeySecretName}`;
    for (const service of ['fhir-writer', 'stale-redraw-sweep']) {
      // The template's URLs, as the rehearsal points them at its stand-in FHIR server.
      expect(env(service), service).toMatchObject({ FHIR_BASE_URL: stage.fhirServer.url, FHIR_TOKEN_URL: stage.fhirServer.tokenUrl, FHIR_CLIENT_ID: FHIR_SETTING.clientId, FHIR_KEY_ID: FHIR_SETTING.keyId, FHIR_PRIVATE_KEY_SECRET_ARN: secretArn });
    }
    expect(Object.keys(env('query')).filter((name) => name.startsWith('FHIR_')).sort()).toEqual(['FHIR_BASE_URL', 'FHIR_CODE_SYSTEM', 'FHIR_ORDER_SYSTEM', 'FHIR_OWNER_SYSTEM', 'FHIR_TASK_SYSTEM']);
    // The stack without the setting gives none of them anything.
    for (const fn of stage.deployment.functions) expect(Object.keys(fn.environment).filter((name) => name.startsWith('FHIR_')), fn.service).toEqual([]);
    expect(stage.deployment.functions.map((fn) => fn.service)).not.toContain('fhir-writer');
  });

  it('fhir-writer: its init makes no AWS request', async () => {
    const writer = await deploy('fhir-writer', {}, stage.fhirDeployment);
    try {
      expect((await writer.fn.init).kind, writer.fn.logs()).toBe('ready');
      expect(writer.proxy.calls).toEqual([]);
    } finally {
      await writer.stop();
    }
  });

  it("fhir-writer: takes the table's stream records its mapping's filter lets through (writes of follow-up items that change their Task) and reports no failure, within its grants", async () => {
    const filter = writerFilter();
    expect(filter.dynamodb.Keys).toEqual({ sk: { S: ['FOLLOWUP'] } });
    expect(Object.keys(filter.dynamodb.NewImage)).toEqual(['fx']);
    // Every record the stream has kept (the follow-ups the transaction function opened above among them).
    const all = await streamRecordsAfter(new Set());
    const passed = all.filter((record) => passesFilter(filter, record));
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.length).toBeLessThan(all.length);
    expect(passed.every((record) => record.dynamodb?.Keys?.['sk']?.S === 'FOLLOWUP')).toBe(true);
    const writer = await deploy('fhir-writer', {}, stage.fhirDeployment);
    try {
      for (let start = 0; start < passed.length; start += 10) {
        const batch = passed.slice(start, start + 10).map((record) => toLambdaRecord(record, stage.streamArn, LOCAL_REGION));
        expect(resultOf(await writer.fn.invoke({ Records: batch }), writer.fn.logs())).toEqual({ batchItemFailures: [] });
      }
      expect(writer.proxy.denials).toEqual([]);
      expect(writer.proxy.unexpected).toEqual([]);
      // Through the token endpoint (its private_key_jwt signed with the secret's key): one Task per follow-up the records name.
      const followUps = new Set(passed.map((record) => record.dynamodb?.Keys?.['pk']?.S));
      const tasks = await stage.fhirServer.control.tasks();
      expect(new Set(tasks.map((task) => `FOLLOWUP#${task.identifier?.[0]?.value}`))).toEqual(followUps);
      expect((await stage.fhirServer.control.requests()).filter((request) => request.endpoint === 'token').map((request) => request.status)).toEqual([200]);
    } finally {
      await writer.stop();
    }
  });

  it('fhir-writer: its poll schedule\'s event reads the Tasks changed in the EHR and applies one completed there as the EHR user\'s close, within its grants', async () => {
    const task = (await stage.fhirServer.control.tasks()).find((one) => one.identifier?.[0]?.value === ids.transactionId)!;
    await stage.fhirServer.control.editTask(task.id!, { status: 'completed' }, { author: 'Practitioner/123' });
    const writer = await deploy('fhir-writer', {}, stage.fhirDeployment);
    try {
      const answer = resultOf(await writer.fn.invoke({ ...scheduledEvent(), resources: [`arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${STACK}-FhirPollSchedule`] }), writer.fn.logs());
      expect(answer).toMatchObject({ kind: 'complete' });
      expect(writer.proxy.denials).toEqual([]);
      expect(writer.proxy.unexpected).toEqual([]);
      const after = (await stage.fhirServer.control.tasks()).find((one) => one.id === task.id)!;
      // Applied, then written back: the tracker's own content again, closed.
      expect(after.status).not.toBe('in-progress');
      expect(after.extension?.some((extension) => extension.url.endsWith('/content-digest'))).toBe(true);
    } finally {
      await writer.stop();
    }
    const query = await deploy('query', {}, stage.fhirDeployment);
    try {
      const detail = JSON.parse(String((resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })), query.fn.logs()) as { body: string }).body));
      expect(detail).toMatchObject({ follow_up: { state: 'closed', closed_by: 'ehr:Practitioner/123' }, fhir: { state: 'current', ehr_change: { actor: 'ehr:Practitioner/123', actions: ['close'], applied: true } } });
    } finally {
      await query.stop();
    }
  });

  it('fhir-writer: a batch of its notices queue (a Task the EHR reopened, a message that is no notice) is worked within its grants', async () => {
    const task = (await stage.fhirServer.control.tasks()).find((one) => one.identifier?.[0]?.value === ids.transactionId)!;
    await stage.fhirServer.control.editTask(task.id!, { status: 'in-progress', statusReason: null, executionPeriod: null }, { author: 'Practitioner/456' });
    const writer = await deploy('fhir-writer', {}, stage.fhirDeployment);
    try {
      const record = (body: string) => ({
        messageId: randomUUID(),
        receiptHandle: 'rehearsal',
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: ACCOUNT, ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${ACCOUNT}:${STACK}-FhirNotices`,
        awsRegion: LOCAL_REGION,
      });
      const answer = resultOf(await writer.fn.invoke({ Records: [record(JSON.stringify({ kind: 'task', task_id: task.id, deleted: false })), record('not a notice')] }), writer.fn.logs());
      expect(answer).toEqual({ batchItemFailures: [] });
      expect(writer.proxy.denials).toEqual([]);
      expect(writer.proxy.unexpected).toEqual([]);
    } finally {
      await writer.stop();
    }
    const query = await deploy('query', {}, stage.fhirDeployment);
    try {
      const detail = JSON.parse(String((resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })), query.fn.logs()) as { body: string }).body));
      expect(detail).toMatchObject({ follow_up: { state: 'acknowledged' }, fhir: { state: 'current', ehr_change: { actor: 'ehr:Practitioner/456', actions: ['reopen'], applied: true } } });
    } finally {
      await query.stop();
    }
  });

  it("query: answers a follow-up's Task state in the EHR (`fhir`) from its FHIR settings and the writer's confirmation, its chunk loaded on first use", async () => {
    const query = await deploy('query', {}, stage.fhirDeployment);
    try {
      const answer = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })), query.fn.logs());
      expect(JSON.parse(String((answer as { body: string }).body))).toMatchObject({ follow_up: { id: ids.transactionId }, fhir: { state: 'current', held: null } });
      expect(query.proxy.denials).toEqual([]);
    } finally {
      await query.stop();
    }
  });
}
