/**
 * The FHIR server's notifications on AWS (CONTRACT §13, "Notifications"; issue 71): only with the `fhir` setting
 * and a notify secret named (`fhir.notifySecretName`); without it nothing here is built and the template is what
 * it was.
 *
 * The route (service fhir-notifications) takes `POST /fhir/notifications` and `PUT`/`DELETE
 * /fhir/notifications/Task/{id}` on the stack's HTTP API without IAM auth: the EHR cannot sign with AWS
 * credentials, and the shared secret (a bearer, or Medplum's HMAC of the body) is the authentication, checked by
 * the function. It reads that one secret and sends to one queue, and nothing else: no table, no other key. Each
 * Task a notification names becomes one message (functions/core/fhir/notice.ts) on that queue, which the FHIR
 * writer consumes (its handler tells SQS events from stream batches and the poll's schedule) and reads the Task
 * again with the tracker's own token: a forged or replayed notification can only cause a read.
 *
 * The secret is the operator's, imported by name as the FHIR credential is (lib/fhir.ts), not created here: its
 * value is chosen by the team and typed into the EHR's Subscription as well (docs/deploy.md), so the name in the
 * setting is the switch, nothing waits on a placeholder that a forger could guess, a stack deleted leaves the
 * Subscription's secret where it was, and a new value is set in both places without a deploy.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { CfnStage, HttpApi, HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FHIR_WRITER_TIMEOUT } from './fhir';
import type { FhirSettings } from './settings';
import { ServiceFunction, TIMEOUTS } from './table-bound-function';

/** The routes (CONTRACT §13): a Task, a Bundle or nothing by POST; HAPI's payload as PUT, a deletion as DELETE. */
export const FHIR_NOTIFICATION_ROUTES = [
  { method: 'POST', path: '/fhir/notifications', key: 'POST /fhir/notifications' },
  { method: 'PUT', path: '/fhir/notifications/Task/{id}', key: 'PUT /fhir/notifications/Task/{id}' },
  { method: 'DELETE', path: '/fhir/notifications/Task/{id}', key: 'DELETE /fhir/notifications/Task/{id}' },
] as const;

/**
 * The writer's mapping of the notices' queue: batches of 10 (SQS's most without a batching window over 0), within a
 * second of the first message (CONTRACT §13: worked within seconds), each notice reported on its own
 * (ReportBatchItemFailures). At most 5 writers at once on it: a burst of notifications (a bulk edit in the EHR)
 * becomes reads of the FHIR server at a pace it can take, the rest waiting in the queue (not throttled back into it).
 */
export const FHIR_NOTICE_MAPPING = {
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
  reportBatchItemFailures: true,
  maxConcurrency: 5,
} as const;

/**
 * A notice is received this many times (each failed read of its Task leaves it for the visibility timeout) before it
 * goes to the dead-letter queue: about half an hour of an EHR down (5 × 6 minutes), after which the poll has read
 * the Task anyway. AWS advises at least 5 for a Lambda consumer, so that throttling alone dead-letters nothing.
 */
export const FHIR_NOTICE_MAX_RECEIVES = 5;

/** AWS's rule for a Lambda consumer: a queue's visibility timeout at least six times the function's timeout. */
export const FHIR_NOTICE_VISIBILITY = Duration.seconds(6 * FHIR_WRITER_TIMEOUT.toSeconds());

/** The route only checks, parses and sends: the smallest size that keeps a cold start short. */
export const FHIR_NOTIFICATIONS_MEMORY_MB = 256;

/** The notify secret the `fhir` setting names, imported by name (never created or read by the stack), or null. */
export function importNotifySecret(scope: Construct, fhir: FhirSettings | null): ISecret | null {
  return fhir?.notifySecretName === undefined ? null : Secret.fromSecretNameV2(scope, 'FhirNotifySecret', fhir.notifySecretName);
}

export interface FhirNotificationsProps {
  readonly secret: ISecret;
  /** The FHIR writer, the queue's consumer. */
  readonly writer: IFunction;
  /** The operations key: the queues' and the logs'. */
  readonly opsKey: IKey;
  readonly logRetention: RetentionDays;
}

/** The route's function, the notices' queue and its dead-letter queue, and the writer's mapping of it. */
export class FhirNotifications extends Construct {
  readonly function: ServiceFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: FhirNotificationsProps) {
    super(scope, id);
    const { secret, writer, opsKey } = props;
    const encrypted = { encryption: QueueEncryption.KMS, encryptionMasterKey: opsKey, enforceSSL: true } as const;
    this.deadLetters = new Queue(this, 'NoticeDeadLetters', { ...encrypted, retentionPeriod: Duration.days(14) });
    // A notice is worth a read within minutes; after a day the poll has read its Task many times.
    this.queue = new Queue(this, 'Notices', {
      ...encrypted,
      retentionPeriod: Duration.days(1),
      visibilityTimeout: FHIR_NOTICE_VISIBILITY,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: FHIR_NOTICE_MAX_RECEIVES },
    });

    this.function = new ServiceFunction(this, 'Route', {
      service: 'fhir-notifications',
      description: "Takes the FHIR server's Subscription notifications (CONTRACT §13): each named Task onto the FHIR writer's queue",
      environment: { FHIR_NOTIFY_SECRET_ARN: secret.secretArn, FHIR_NOTIFY_QUEUE_URL: this.queue.queueUrl },
      logRetention: props.logRetention,
      logKey: opsKey,
      timeout: TIMEOUTS.http,
      memorySize: FHIR_NOTIFICATIONS_MEMORY_MB,
    });
    // Its secret (GetSecretValue and DescribeSecret, by name and Secrets Manager's suffix; the aws/secretsmanager key).
    secret.grantRead(this.function.role);
    // Sends to its queue, and nothing else of SQS: written out rather than grantSendMessages, which adds the
    // queue's attributes and KMS wildcards. A producer of a KMS-encrypted queue needs GenerateDataKey and Decrypt.
    this.function.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'SendNotices', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    this.function.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'NoticesKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [opsKey.keyArn] }));

    writer.addEventSource(new SqsEventSource(this.queue, FHIR_NOTICE_MAPPING));
  }

  /**
   * The three routes on `api`, without IAM auth (the secret is the authentication), each throttled on `stage` to
   * `fhir.notifyRateLimit` and `fhir.notifyBurstLimit`; returned so the stage can wait for them.
   */
  addRoutes(api: HttpApi, stage: CfnStage, fhir: FhirSettings): HttpRoute[] {
    const integration = new HttpLambdaIntegration('FhirNotificationsIntegration', this.function.fn);
    const routes = FHIR_NOTIFICATION_ROUTES.flatMap(({ method, path }) => api.addRoutes({ path, methods: [HttpMethod[method]], integration }));
    const throttled = Object.fromEntries(
      FHIR_NOTIFICATION_ROUTES.map(({ key }) => [key, { ThrottlingRateLimit: fhir.notifyRateLimit, ThrottlingBurstLimit: fhir.notifyBurstLimit }]),
    );
    stage.routeSettings = { ...(stage.routeSettings as Record<string, unknown>), ...throttled };
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "A FHIR server cannot sign requests with AWS credentials; every notification must carry the team's notify secret (Authorization: Bearer, R4's channel.header) or Medplum's X-Signature (HMAC-SHA256 of the body keyed by it), which the function checks in constant time before reading the body. That secret is the authentication of these routes, and what they accept can only cause a read of the Task with the tracker's own token.",
      });
    }
    return routes;
  }
}
