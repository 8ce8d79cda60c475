/**
 * The deploy rehearsal's stage (test/integration/deploy-rehearsal.test.ts and its parts): the cloud
 * assembly synthesized with bundling (the stack as cdk.json builds it, and a second stack with `fhir` on),
 * the table created in DynamoDB Local from the template's own definition, the Junction and FHIR stand-ins,
 * the deployments read from the assembly, and how one function of a deployment is started: its proxy
 * (./aws-proxy.ts, its role's grants) and its process (./lambda-process.ts). Set up once, by the one test
 * file that runs the rehearsal: bundling every function is what the rehearsal costs.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll } from 'vitest';
import { RedrawTrackerStack } from '../../../lib/redraw-tracker-stack';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClientConfig } from '../../../local/dynamodb-local';
import { startFhirStandin, type FhirStandin } from '../../../local/fhir-standin';
import { buildDeliveries, freshId, redrawFlow, simpleFlow, type Delivery } from '../../../local/junction/flows';
import { startJunctionStandin, type JunctionStandin } from '../../../local/junction-standin';
import { buildStack, cdkJsonSettings, FHIR_SETTING, fhirOn } from '../../infra/stack';
import { localEndpoint, testClient } from '../dynamodb';
import { newSecret } from '../webhook';
import { startAwsProxy, type AwsProxy } from './aws-proxy';
import { readDeployment, type Deployment, type TemplateJson } from './deployment';
import { streamRecordsAfter } from './stream-records';
import { lambdaEnvironment, startLambdaProcess, type LambdaProcess } from './lambda-process';

export const STACK = 'RedrawTracker';
export const ACCOUNT = '123456789012';
/** Junction's API as the template names it (cdk.json), reached here at the stand-in. */
const JUNCTION_URL = 'https://api.us.junction.com';
export const WEBHOOK_SECRET = newSecret();
/**
 * The same app with `fhir` on (CONTRACT §13), a second stack of the assembly: its writer's bundle is
 * built there only, the rest come from the bundling cache. It shares the rehearsal's table.
 */
export const FHIR_STACK = 'RedrawTrackerFhir';
/** What the operator stored in the secret `privateKeySecretName` names (SMART Backend Services: an EC P-384 key, PKCS#8). */
const FHIR_KEYS = generateKeyPairSync('ec', { namedCurve: 'P-384' });
export const FHIR_PRIVATE_KEY = FHIR_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** What the operator stored in the secret `notifySecretName` names (issue 71): the value the EHR's Subscription sends. */
export const NOTIFY_SECRET = randomBytes(32).toString('hex');

/** One function of a deployment, started: its proxy and its process. */
export interface Deployed {
  proxy: AwsProxy;
  fn: LambdaProcess;
  stop(): Promise<void>;
}

/**
 * A redraw story whose status times are days old: the initial order waits in redraw_available with no
 * redraw order (stale), another transaction completes. The rehearsal's parts tell it in their order.
 */
function redrawStory() {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const stuck = redrawFlow(ids, 'not_created', new Date(Date.now() - 5 * 86_400_000));
  const done = { transactionId: freshId(), orderId: freshId() };
  const deliveries: Delivery[] = [...buildDeliveries(stuck), ...buildDeliveries(simpleFlow(done, 'walk_in_test', undefined, new Date(Date.now() - 3 * 86_400_000)))];
  /** The stream records the transaction function has been given so far. */
  const seenRecords = new Set<string>();
  const orderCount = new Set(deliveries.map((delivery) => delivery.orderId)).size;
  return { ids, done, deliveries, seenRecords, orderCount };
}

/** The stage: its parts are set by the hooks rehearsalStage() registers (read them inside a test or a hook), its methods work from then on. */
export class RehearsalStage {
  assembly = '';
  standin!: JunctionStandin;
  /** The team's FHIR server (Medplum's engine), which knows the writer's client and public key, as a SMART server would. */
  fhirServer!: FhirStandin;
  deployment!: Deployment;
  fhirDeployment!: Deployment;
  streamArn = '';
  readonly story = redrawStory();
  private streams: DynamoDBStreamsClient | undefined;
  /** The table the template defines, in DynamoDB Local: a part may seed what its story needs. */
  readonly tableName = `rehearsal-${randomUUID()}`;

  /** The deployment as read from the cloud assembly, optionally with the template edited first. */
  deploymentOf = (streamArn: string, edit?: (template: TemplateJson) => void, stackName = STACK): Deployment =>
    readDeployment(
      this.assembly,
      stackName,
      {
        account: ACCOUNT,
        region: LOCAL_REGION,
        tableName: this.tableName,
        streamArn,
        generatedSecret: () => randomBytes(32).toString('hex'),
        urls: { [JUNCTION_URL]: this.standin.url, [FHIR_SETTING.baseUrl]: this.fhirServer.url, [FHIR_SETTING.tokenUrl]: this.fhirServer.tokenUrl },
        // The FHIR credential's secret is the operator's (the stack names it): served as Secrets Manager would.
        importedSecrets: { [FHIR_SETTING.privateKeySecretName]: FHIR_PRIVATE_KEY, [FHIR_SETTING.notifySecretName]: NOTIFY_SECRET },
      },
      edit,
    );

  /**
   * Deploys `service` of `from`: its proxy (secrets set first, as an operator sets
   * them after the deploy) and its process, started with the template's
   * environment and Lambda's own variables; AWS_ENDPOINT_URL sends its SDK
   * clients to the proxy.
   */
  deploy = async (service: string, secrets: Record<string, string> = {}, from: Deployment = this.deployment, dynamodbEndpoint = localEndpoint()): Promise<Deployed> => {
    const fn = from.functions.find((candidate) => candidate.service === service);
    if (!fn) throw new Error(`no function ${service} in the template`);
    const proxy = await startAwsProxy(from, fn, dynamodbEndpoint);
    for (const [logicalIdPrefix, value] of Object.entries(secrets)) {
      const [arn] = [...from.secrets].find(([, secret]) => secret.logicalId.startsWith(logicalIdPrefix)) ?? [];
      if (!arn) throw new Error(`no secret ${logicalIdPrefix}`);
      proxy.secrets.set(arn, value);
    }
    const process = startLambdaProcess(fn, { ...lambdaEnvironment(fn, from.region, LOCAL_CREDENTIALS), ...fn.environment, AWS_ENDPOINT_URL: proxy.endpoint });
    return {
      proxy,
      fn: process,
      async stop() {
        await process.stop();
        await proxy.close();
      },
    };
  };

  /** The table's stream records not given to a function yet: see streamRecordsAfter. */
  streamRecordsAfter = (seen: Set<string>): Promise<_Record[]> => {
    if (this.streams === undefined) throw new Error('the rehearsal has not started');
    return streamRecordsAfter(this.streams, this.streamArn, seen);
  };

  /** A stack's template as the assembly has it. */
  template = (stackName: string): TemplateJson => JSON.parse(readFileSync(join(this.assembly, `${stackName}.template.json`), 'utf8')) as TemplateJson;

  /** The stand-ins, the assembly (both stacks, bundled), the table as the template defines it, the deployments. */
  async start(): Promise<void> {
    this.standin = await startJunctionStandin();
    this.fhirServer = await startFhirStandin({ clients: [{ clientId: FHIR_SETTING.clientId, publicKey: FHIR_KEYS.publicKey }] });
    this.assembly = mkdtempSync(join(tmpdir(), 'redraw-tracker-rehearsal-'));
    // The region of DynamoDB Local's database (it keeps one per access key and region).
    const { app } = buildStack({ bundle: true, outdir: this.assembly, region: LOCAL_REGION });
    new RedrawTrackerStack(app, FHIR_STACK, { settings: { ...cdkJsonSettings(), ...fhirOn() }, env: { account: ACCOUNT, region: LOCAL_REGION } });
    app.synth({ force: true });
    const client = testClient();
    try {
      // The table as the template defines it: keys, indexes, stream.
      await client.send(new CreateTableCommand(this.deploymentOf('pending').table.createTable as never));
      await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: this.tableName });
      const { Table } = await client.send(new DescribeTableCommand({ TableName: this.tableName }));
      this.streamArn = Table?.LatestStreamArn ?? '';
    } finally {
      client.destroy();
    }
    this.streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
    this.deployment = this.deploymentOf(this.streamArn);
    this.fhirDeployment = this.deploymentOf(this.streamArn, undefined, FHIR_STACK);
  }

  async stop(): Promise<void> {
    this.streams?.destroy();
    const client = testClient();
    await client.send(new DeleteTableCommand({ TableName: this.tableName })).catch(() => undefined);
    client.destroy();
    await this.standin?.close();
    await this.fhirServer?.stop();
    if (this.assembly) rmSync(this.assembly, { recursive: true, force: true });
  }
}

/** The rehearsal's stage, started before the file's tests and stopped after them. */
export function rehearsalStage(): RehearsalStage {
  const stage = new RehearsalStage();
  beforeAll(() => stage.start(), 300_000);
  afterAll(() => stage.stop());
  return stage;
}
