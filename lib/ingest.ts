/**
 * Webhooks in: the HTTP API (its `$default` stage, throttling and access logs), the webhook route with limits of
 * its own, the webhook function and the secret it verifies signatures with. Other parts add their routes to the
 * same API (the query routes, the console's, the FHIR server's notifications).
 */
import { CfnOutput, SecretValue, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Grouping } from './grouping';
import type { Settings } from './settings';
import type { TableBinding } from './storage';
import { TableBoundFunction, TIMEOUTS } from './table-bound-function';

/** The webhook's route: its own throttling and detailed (per-route) metrics on the `$default` stage. */
export const WEBHOOK_ROUTE = { method: 'POST', path: '/webhooks/junction', key: 'POST /webhooks/junction' } as const;

/** The placeholder stored in the webhook secret until an operator sets the real value (docs/deploy.md). */
export const WEBHOOK_SECRET_PLACEHOLDER = 'REPLACE_ME: comma-separated whsec_ signing secrets from the Junction dashboard';

/** Route keys and ids only: no bodies, no query strings. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  sourceIp: '$context.identity.sourceIp',
  userArn: '$context.identity.userArn',
};

export interface IngestProps {
  readonly binding: TableBinding;
  readonly settings: Pick<Settings, 'retentionDays' | 'apiRateLimit' | 'apiBurstLimit' | 'webhookRateLimit' | 'webhookBurstLimit'>;
}

export class Ingest extends Grouping {
  readonly webhook: TableBoundFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The stage's CloudFormation resource, whose route settings hold the per-route limits. */
  readonly cfnStage: CfnStage;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const { binding, settings } = props;
    const webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'Junction (Svix) webhook signing secrets, comma-separated whsec_ values; see docs/deploy.md',
      encryptionKey: binding.logKey,
      // Not a secret: a marker that makes every delivery fail (and Svix retry) until set.
      secretStringValue: SecretValue.unsafePlainText(WEBHOOK_SECRET_PLACEHOLDER),
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Junction generates and rotates the signing secret on its side; rotation means storing the new whsec_ value next to the old one (comma-separated, both verify) and dropping the old one later, so there is nothing for a Secrets Manager rotation function to do.',
    });
    this.webhook = new TableBoundFunction(this, 'Webhook', {
      ...binding,
      service: 'webhook',
      description: 'Verifies Junction webhooks and stores the newest state of each order',
      // The one conditional PutItem (orders and quarantined events); never reads. UpdateItem only
      // when a flagged order gets a newer copy of the same state (the flag stays, CONTRACT §4).
      access: { table: ['PutItem', 'UpdateItem'], queryIndexes: [] },
      // RETENTION_DAYS: an order's appointment item carries its own expiry (CONTRACT §8, §10).
      environment: { WEBHOOK_SECRET_ARN: webhookSecret.secretArn, RETENTION_DAYS: String(settings.retentionDays) },
      timeout: TIMEOUTS.http,
    });
    webhookSecret.grantRead(this.webhook.role);

    this.api = new HttpApi(this, 'Api', { description: 'redraw-tracker: Junction webhooks in, orders and redraws out', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: binding.logRetention, encryptionKey: binding.logKey });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });
    this.cfnStage = this.stage.node.defaultChild as CfnStage;
    this.addWebhookRoute(settings);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'WebhookUrl', { value: `${this.stage.url}webhooks/junction`, description: 'Register this URL as the webhook endpoint in the Junction dashboard' });
    new CfnOutput(this, 'WebhookSecretArn', { value: webhookSecret.secretArn, description: 'Put the whsec_ signing secret(s) here (docs/deploy.md)' });
  }

  /**
   * The webhook route's own limits: a Junction "Recover" (Svix replaying days of webhooks) cannot starve the query
   * routes, nor an operator's script the webhooks. Detailed metrics give the route its own 4xx (throttling answers
   * 429) for the WebhookThrottled alarm. HttpStage has no per-route settings; the stage must wait for the route it names.
   */
  private addWebhookRoute(settings: IngestProps['settings']): void {
    const [webhookRoute] = this.api.addRoutes({
      path: WEBHOOK_ROUTE.path,
      methods: [HttpMethod[WEBHOOK_ROUTE.method]],
      integration: new HttpLambdaIntegration('WebhookIntegration', this.webhook.fn),
    });
    if (webhookRoute === undefined) throw new Error('the webhook route was not created');
    this.cfnStage.routeSettings = {
      [WEBHOOK_ROUTE.key]: { ThrottlingRateLimit: settings.webhookRateLimit, ThrottlingBurstLimit: settings.webhookBurstLimit, DetailedMetricsEnabled: true },
    };
    this.stage.node.addDependency(webhookRoute);
    Validations.of(webhookRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Junction cannot sign requests with AWS credentials; every delivery carries a Svix signature (HMAC-SHA256 over id, timestamp and body, 5-minute tolerance) that the webhook function verifies before reading the body. That signature is the authentication of this route.',
    });
  }
}
