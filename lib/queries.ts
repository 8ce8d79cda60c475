/**
 * What people and scripts read and do through the HTTP API's IAM routes: the query function (orders,
 * transactions, redraws, follow-ups, reports; read only) with the secret that signs its pagination cursors, and the
 * follow-up actions function (POST /follow-ups/{id}/actions). The console reaches the same two functions through
 * JWT routes of its own (lib/console.ts).
 */
import { Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { READER_PARTITIONS } from '../functions/store/key-prefixes';
import { keys } from '../functions/store/keys';
import { TABLE } from '../functions/store/table';
import type { ConsoleSite } from './console';
import { fhirAddressEnvironment, withFhirConfirmations } from './fhir';
import { Grouping } from './grouping';
import type { Settings } from './settings';
import type { TableBinding } from './storage';
import { confinedReads, type TableAccess, TableBoundFunction, TIMEOUTS } from './table-bound-function';

/** The booking's reads (CONTRACT §14): the query function's, on the IAM routes and the console's. */
export const BOOKING_READ_PATHS = ['/follow-ups/{follow_up_id}/booking/sites', '/follow-ups/{follow_up_id}/booking/slots', '/booking/cancellation-reasons'];

/** The IAM routes of the query function (GET). */
const QUERY_PATHS = ['/orders/{order_id}', '/transactions/{transaction_id}', '/redraws', '/follow-ups', '/follow-ups/{follow_up_id}', '/follow-ups/{follow_up_id}/stamp', '/follow-ups/counts', '/reports/redraws', '/me', ...BOOKING_READ_PATHS];

/**
 * What a function that acts on follow-ups may do (the HTTP route, the chat buttons, and the FHIR writer applying
 * the EHR's work): read the follow-up by key and its redraw order's stale flag (GetItem, store/follow-ups/
 * followUpViews), and write each change as one TransactWriteItems of conditional puts in the follow-up's own
 * partition (authorized as PutItem). Nothing else: no Query, no UpdateItem, no index, and each action held to
 * those partitions (dynamodb:LeadingKeys).
 */
export const ACT_ON_FOLLOW_UPS = {
  table: ['GetItem', 'PutItem'],
  queryIndexes: [],
  partitions: { GetItem: [keys.followUp('*').pk, keys.order('*').pk], PutItem: [keys.followUp('*').pk] },
} as const satisfies TableAccess;

/**
 * The follow-up actions function's (CONTRACT §14): ACT_ON_FOLLOW_UPS, and the booked appointment kept on its
 * redraw order as §10 keeps one (one conditional PutItem of the order's appointment item, in the order's
 * partition; the booking's facts are its orders read by key). The chat buttons and the FHIR writer keep
 * ACT_ON_FOLLOW_UPS: they never book.
 */
export const BOOK_ON_FOLLOW_UPS = {
  table: ['GetItem', 'PutItem'],
  queryIndexes: [],
  partitions: { GetItem: [keys.followUp('*').pk, keys.order('*').pk], PutItem: [keys.followUp('*').pk, keys.order('*').pk] },
} as const satisfies TableAccess;

/** Due times follow the sweep's thresholds (CONTRACT §9): the variables of every function that acts on follow-ups. */
export function thresholdEnvironment(settings: Pick<Settings, 'redrawStaleAfterDays' | 'redrawMissingAfterHours' | 'appointmentGraceHours'>): Record<string, string> {
  return {
    REDRAW_STALE_AFTER_DAYS: String(settings.redrawStaleAfterDays),
    REDRAW_MISSING_AFTER_HOURS: String(settings.redrawMissingAfterHours),
    APPOINTMENT_GRACE_HOURS: String(settings.appointmentGraceHours),
  };
}

export interface QueriesProps {
  readonly binding: TableBinding;
  readonly api: HttpApi;
  readonly settings: Settings;
  /** Junction's API key (CONTRACT §14, the sweep's `junction`): both functions book or read through Junction with it. */
  readonly junction: { readonly secret: ISecret; readonly environment: Record<string, string> };
}

export class Queries extends Grouping {
  readonly query: TableBoundFunction;
  /** POST /follow-ups/{follow_up_id}/actions (CONTRACT §9): only the HTTP API may invoke it. */
  readonly followUpActions: TableBoundFunction;

  constructor(scope: Construct, id: string, props: QueriesProps) {
    super(scope, id);
    this.query = this.queryFunction(props);
    const { binding, settings } = props;
    this.followUpActions = new TableBoundFunction(this, 'FollowUpActions', {
      ...binding,
      service: 'follow-up-actions',
      description: "Applies a person's action to a follow-up (POST /follow-ups/{id}/actions; only the HTTP API may invoke it)",
      access: BOOK_ON_FOLLOW_UPS,
      environment: {
        ...thresholdEnvironment(settings),
        // CONTRACT §12: the console's users may need a group to close or reopen; §14: to book.
        ...(settings.console && settings.consoleCloseGroup !== null ? { CLOSE_REQUIRES_GROUP: settings.consoleCloseGroup } : {}),
        ...(settings.console && settings.consoleBookingGroup !== null ? { BOOKING_REQUIRES_GROUP: settings.consoleBookingGroup } : {}),
        // CONTRACT §14: booking through Junction, with the same key the sweep reads; a booked appointment expires as its webhook's would.
        ...props.junction.environment,
        JUNCTION_BOOKING_ASYNC: settings.junctionBookingAsync ? 'on' : 'off',
        RETENTION_DAYS: String(settings.retentionDays),
      },
      timeout: TIMEOUTS.actions,
    });
    for (const fn of [this.query, this.followUpActions]) props.junction.secret.grantRead(fn.role);
    const iam = new HttpIamAuthorizer();
    const queryIntegration = new HttpLambdaIntegration('QueryIntegration', this.query.fn);
    for (const path of QUERY_PATHS) props.api.addRoutes({ path, methods: [HttpMethod.GET], integration: queryIntegration, authorizer: iam });
    // The caller's IAM identity (requestContext.authorizer.iam.userArn) is the actor of the action.
    // The integration's permission is the function's whole resource policy: apigateway.amazonaws.com
    // from this API's route only; no role of the stack is granted lambda:InvokeFunction on it.
    props.api.addRoutes({
      path: '/follow-ups/{follow_up_id}/actions',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('FollowUpActionsIntegration', this.followUpActions.fn),
      authorizer: iam,
    });
  }

  /**
   * The console's routes reach both functions, which verify the caller's access token themselves (CONTRACT §12,
   * issue 45): against this pool and app client. `none` without the console (its routes are then 401); a function
   * without either setting fails when it starts.
   */
  signInWith(console: ConsoleSite | null): void {
    const signIn =
      console === null
        ? { CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: 'none' }
        : { CONSOLE_USER_POOL_ID: console.userPool.userPoolId, CONSOLE_CLIENT_ID: console.client.userPoolClientId };
    for (const fn of [this.query.fn, this.followUpActions.fn]) {
      for (const [name, value] of Object.entries(signIn)) fn.addEnvironment(name, value);
    }
  }

  private queryFunction({ binding, settings, junction }: QueriesProps): TableBoundFunction {
    const cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'HMAC key that makes the query API pagination cursors tamper-evident',
      encryptionKey: binding.logKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signs pagination cursors only (no data access); it is resolved into the function configuration at deploy time, so a rotation takes a redeploy and merely invalidates cursors in flight. Rotate by generating a new value and deploying.',
    });
    return new TableBoundFunction(this, 'Query', {
      ...binding,
      service: 'query',
      description: 'Answers GET /orders, /transactions, /redraws and /follow-ups (read only)',
      // The follow-ups' worklist lives in the by-transaction index (FOLLOWUPS# partitions); a
      // follow-up's history is a Query of its own partition in the table. An order is read with
      // its appointment by a Query of its partition; a page's (or a transaction's) appointments
      // with one BatchGetItem of their keys (CONTRACT §10). Owners' follow-ups read the worklist
      // index, then a page's follow-ups and their orders with one BatchGetItem each. Every read
      // held to the partitions it reads (dynamodb:LeadingKeys, store/key-prefixes.ts): never a quarantined body.
      // With `fhir`, also the follow-ups' confirmation items (FHIRTASK#<id>, CONTRACT §13).
      access: confinedReads(settings.fhir === null ? READER_PARTITIONS.query : withFhirConfirmations(READER_PARTITIONS.query), ['BatchGetItem', 'GetItem', 'Query'], [TABLE.openRedraws.indexName, TABLE.byTransaction.indexName, TABLE.worklist.indexName]),
      // A CloudFormation dynamic reference: the value never appears in the template.
      // DIGEST_TIMEZONE: a report's dates are days, and its weeks Monday to Sunday, in the digest's zone (CONTRACT §11).
      // With `fhir`, a follow-up's `fhir` (CONTRACT §13) from its confirmation item (FHIRTASK#<id>) and the addresses it names.
      environment: {
        CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
        DIGEST_TIMEZONE: settings.digestTimeZone,
        ...(settings.fhir === null ? {} : fhirAddressEnvironment(settings.fhir)),
        // CONTRACT §14: the booking's reads ask Junction with the key the sweep reads.
        ...junction.environment,
      },
      timeout: TIMEOUTS.http,
    });
  }
}
