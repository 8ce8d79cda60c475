/**
 * Deployment settings, read from the `redrawTracker` key of the cdk.json context
 * and checked with zod when the app starts: a bad value stops `cdk synth` with
 * its name instead of deploying a stack that misbehaves later.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { isTimeZone } from '../functions/core/alert-time';

/** The context key that holds the settings in cdk.json. */
export const SETTINGS_CONTEXT_KEY = 'redrawTracker';

/** The retention periods CloudWatch Logs accepts (RetentionDays is a numeric enum). */
const RETENTIONS = Object.values(RetentionDays).filter((value): value is RetentionDays => typeof value === 'number');

const retentionDays = z.number().transform((days, ctx) => {
  const retention = RETENTIONS.find((candidate) => candidate === days);
  if (retention === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `must be one of the retention periods CloudWatch Logs accepts: ${RETENTIONS.join(', ')}`,
    });
    return z.NEVER;
  }
  return retention;
});

/**
 * CONTRACT §13's defaults (FHIR_TASK_SYSTEM, FHIR_CODE_SYSTEM, FHIR_ORDER_SYSTEM, FHIR_OWNER_SYSTEM, FHIR_SCOPE,
 * FHIR_CATCH_UP_PER_SWEEP, FHIR_EHR_ACTIONS, FHIR_EHR_CLOSES, FHIR_POLL_SECONDS, FHIR_POLL_MAX): the functions' own (functions/fhir/client/settings.ts);
 * and the notifications routes' throttling (the stack's own, issue 71).
 */
export const FHIR_DEFAULTS = {
  taskSystem: 'urn:redraw-tracker:follow-up',
  codeSystem: 'urn:redraw-tracker',
  orderSystem: 'urn:junction:order',
  ownerSystem: 'urn:redraw-tracker:owner',
  scope: 'system/Task.rs system/Task.cu system/Practitioner.r system/PractitionerRole.r system/Provenance.rs',
  catchUpPerSweep: 200,
  ehrActions: 'on',
  ehrCloses: 'group',
  pollSeconds: 300,
  pollMax: 1000,
  // A ceiling for the account and the bill, not the EHR's pace (issue 82): every request, refused or not, takes from
  // it, so it stands well above what an EHR sends; the EHR's reads are paced behind the check, per source
  // (functions/core/fhir/notice-cap.ts), so a flood of refusals below it cannot crowd out the EHR's notifications.
  notifyRateLimit: 100,
  notifyBurstLimit: 200,
} as const;

/**
 * The shortest poll period on AWS (CONTRACT §13: at least 60): the writer's schedule is an EventBridge rule,
 * whose rate is a whole number of minutes (and the writer's timeout is no longer, so two runs never overlap).
 */
export const FHIR_POLL_MIN_SECONDS = 60;

/** FHIR_POLL_SECONDS on AWS: whole minutes, in seconds, from one minute to one day. */
const pollSeconds = z
  .number()
  .int('must be a whole number of seconds')
  .min(FHIR_POLL_MIN_SECONDS, `must be at least ${FHIR_POLL_MIN_SECONDS} (the writer's schedule runs at most once a minute on AWS)`)
  .max(86_400, 'must be at most 86400 (a day)')
  .refine((seconds) => seconds % 60 === 0, 'must be a whole number of minutes, in seconds (60, 120, 300, ...): an EventBridge schedule runs every so many minutes');

/** An https URL without a query, a fragment or a trailing slash (paths are appended to it). */
const httpsBase = (example: string) =>
  z
    .url({ protocol: /^https$/, error: `must be an https URL such as ${example}` })
    .refine((url) => !/[?#]/.test(url), `must have no query or fragment, e.g. ${example}`)
    .refine((url) => !url.endsWith('/'), `must not end with a slash, e.g. ${example}`);

/**
 * An identifier or code system: a URN or an http(s) URL, as FHIR's `Identifier.system` takes it, without
 * whitespace or `|` (a search by identifier is `system|value`) and without a trailing slash (`/attention` ... are appended).
 */
const fhirSystem = z
  .string()
  .regex(/^(?:urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s|]+|https?:\/\/[^\s|]+)$/, 'must be a URN (urn:...) or an http(s) URL, without spaces or "|"')
  .refine((system) => !system.endsWith('/'), 'must not end with a slash');

/**
 * A Secrets Manager secret's name (not its ARN): what the stack imports with Secret.fromSecretNameV2. A name
 * ending with a hyphen and six characters would be mistaken for an ARN's random suffix.
 */
const secretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, "must be a Secrets Manager secret's name (1-512 letters, digits and /_+=.@-), not its ARN")
  .refine((name) => !/-[A-Za-z0-9]{6}$/.test(name), 'must not end with a hyphen and six characters (Secrets Manager reads that as the random suffix of an ARN): rename the secret');

/**
 * CONTRACT §13: one FHIR R4 Task per follow-up in the team's FHIR server (off without it). Only names and
 * addresses: the credential stays in Secrets Manager, and the stack takes its secret's name.
 */
const FhirSchema = z
  .strictObject({
    /** The FHIR server's base (FHIR_BASE_URL), e.g. https://api.medplum.com/fhir/R4. */
    baseUrl: httpsBase('https://api.medplum.com/fhir/R4'),
    taskSystem: fhirSystem.default(FHIR_DEFAULTS.taskSystem),
    codeSystem: fhirSystem.default(FHIR_DEFAULTS.codeSystem),
    /** The identifier system under which the server keeps Junction's order id on its ServiceRequest (docs/deploy.md). */
    orderSystem: fhirSystem.default(FHIR_DEFAULTS.orderSystem),
    ownerSystem: fhirSystem.default(FHIR_DEFAULTS.ownerSystem),
    /** The OAuth 2.0 token endpoint (FHIR_TOKEN_URL); absent: no token is asked for (a server that needs none). */
    tokenUrl: httpsBase('https://api.medplum.com/oauth2/token').optional(),
    /** The client id at the token endpoint (FHIR_CLIENT_ID); required with tokenUrl. */
    clientId: z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable characters without spaces').optional(),
    /**
     * Scopes asked for (FHIR_SCOPE): SMART v2 by default (Tasks read, searched, created and updated; the owner's Practitioner
     * or PractitionerRole and a version's Provenance read, CONTRACT §13); v1 servers want `system/Task.read system/Task.write ...`.
     */
    scope: z
      .string()
      .regex(/^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/, 'must be scopes separated by single spaces, e.g. "system/Task.rs system/Task.cu"')
      .max(1000)
      .default(FHIR_DEFAULTS.scope),
    /** The secret holding a client secret (FHIR_CLIENT_SECRET_ARN): client credentials with client_secret_basic. */
    clientSecretName: secretName.optional(),
    /** The secret holding a PEM private key, PKCS#8, RSA or EC P-384 (FHIR_PRIVATE_KEY_SECRET_ARN): SMART Backend Services. */
    privateKeySecretName: secretName.optional(),
    /** The `kid` of that key as the server knows it (FHIR_KEY_ID, not secret); required with privateKeySecretName. */
    keyId: z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable characters without spaces').optional(),
    /** At most this many follow-ups' Tasks sent by one sweep's catch-up (FHIR_CATCH_UP_PER_SWEEP). */
    catchUpPerSweep: z.number().int().min(1).max(1000).default(FHIR_DEFAULTS.catchUpPerSweep),
    /** Work done on a Task in the EHR applies as the person's action (FHIR_EHR_ACTIONS); off: it is held as changed_in_ehr. */
    ehrActions: z.enum(['on', 'off'], 'must be "on" or "off"').default(FHIR_DEFAULTS.ehrActions),
    /** With a console close group (consoleCloseGroup), whether an EHR close or reopen applies (`allow`) or is held as forbidden (`group`) (FHIR_EHR_CLOSES). */
    ehrCloses: z.enum(['allow', 'group'], 'must be "allow" or "group"').default(FHIR_DEFAULTS.ehrCloses),
    /** How often the writer reads the Tasks changed in the EHR (FHIR_POLL_SECONDS): its schedule's rate. */
    pollSeconds: pollSeconds.default(FHIR_DEFAULTS.pollSeconds),
    /** At most this many Tasks one poll run reads (FHIR_POLL_MAX); a run cut there resumes where it stopped. */
    pollMax: z.number().int('must be a whole number').min(1, 'must be from 1 to 100000').max(100_000, 'must be from 1 to 100000').default(FHIR_DEFAULTS.pollMax),
    /**
     * The secret holding the notifications' shared secret (FHIR_NOTIFY_SECRET_ARN): the bearer of R4's `channel.header`, or
     * Medplum's signing secret. Named: the route `/fhir/notifications`, its queue and alarms are deployed; absent: none of it.
     */
    notifySecretName: secretName.optional(),
    /** Steady-state requests per second each notifications route accepts before answering 429 (a notification lost is the poll's). */
    notifyRateLimit: z.number().positive().max(10_000).default(FHIR_DEFAULTS.notifyRateLimit),
    /** Burst capacity of each notifications route. */
    notifyBurstLimit: z.number().int().positive().max(5_000).default(FHIR_DEFAULTS.notifyBurstLimit),
  })
  .superRefine((fhir, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const credentials = [fhir.clientSecretName, fhir.privateKeySecretName].filter((name) => name !== undefined).length;
    if (fhir.tokenUrl === undefined) {
      if (fhir.clientId !== undefined) problem('clientId', 'is only used with tokenUrl (without it no token is asked for)');
      if (credentials > 0) problem(fhir.clientSecretName !== undefined ? 'clientSecretName' : 'privateKeySecretName', 'is only used with tokenUrl (without it no token is asked for)');
    } else {
      if (fhir.clientId === undefined) problem('clientId', 'is required with tokenUrl');
      if (credentials === 0) problem('tokenUrl', 'needs a credential: clientSecretName (a client secret) or privateKeySecretName with keyId (SMART Backend Services)');
    }
    if (credentials > 1) problem('privateKeySecretName', 'give clientSecretName or privateKeySecretName, not both');
    if (fhir.privateKeySecretName !== undefined && fhir.keyId === undefined) problem('keyId', 'is required with privateKeySecretName (the kid the server knows the key by)');
    if (fhir.privateKeySecretName === undefined && fhir.keyId !== undefined) problem('keyId', 'is only used with privateKeySecretName');
    const limits = fhir.notifyRateLimit !== FHIR_DEFAULTS.notifyRateLimit || fhir.notifyBurstLimit !== FHIR_DEFAULTS.notifyBurstLimit;
    if (fhir.notifySecretName === undefined && limits) problem('notifySecretName', 'is required with notifyRateLimit or notifyBurstLimit (without it there is no notifications route)');
  });

/** The `fhir` setting, validated (defaults filled). */
export type FhirSettings = z.output<typeof FhirSchema>;

/** The days a weekly digest can go out on, as EventBridge Scheduler's cron spells them. */
export const DIGEST_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

const SettingsSchema = z.strictObject({
  /** A redraw order with no status change for this many days is flagged `no_progress`. */
  redrawStaleAfterDays: z.number().int().positive(),
  /** An initial order in redraw_available for this many hours without a redraw order is flagged `redraw_not_created`. */
  redrawMissingAfterHours: z.number().int().positive(),
  /**
   * CONTRACT §10: a redraw order with a booked appointment is not flagged `no_progress` before its
   * start plus this many hours; after that, if it has not moved since its start, `appointment_missed`.
   */
  appointmentGraceHours: z.number().positive().max(8760).default(48),
  /** Retention of every log group of the stack (functions and API access logs). */
  logRetentionDays: retentionDays,
  /** Optional e-mail address subscribed to alarms and stale-redraw notifications. */
  alarmEmail: z.email().nullable().default(null),
  /** Steady-state requests per second the HTTP API's default stage accepts before answering 429. */
  apiRateLimit: z.number().positive().default(50),
  /** Burst capacity of the HTTP API's default stage. */
  apiBurstLimit: z.number().int().positive().default(100),
  /**
   * Steady-state requests per second `POST /webhooks/junction` accepts before answering 429:
   * its own limit, apart from the query routes' (size it for a Junction "Recover", docs/deploy.md).
   */
  webhookRateLimit: z.number().positive().default(50),
  /** Burst capacity of the webhook route. */
  webhookBurstLimit: z.number().int().positive().default(100),
  /**
   * Hours without any order webhook accepted (applied, duplicate or stale) after which the
   * `NoOrderWebhooks` alarm fires; 0 turns the alarm off (a team with days without orders).
   * At most 168: CloudWatch evaluates an alarm of hourly periods over 7 days at most.
   */
  noWebhookAlarmHours: z.number().int().min(0).max(168).default(24),
  /**
   * Junction's API (CONTRACT §6): one of its four servers, or any https URL. The key
   * itself lives in the `JunctionApiKey` secret (docs/deploy.md); until it is set,
   * the tracker works from webhooks alone.
   */
  junctionApiBaseUrl: z.url({ protocol: /^https$/ }).default('https://api.us.junction.com'),
  /** An order behind what a transaction listing shows for longer than this is read from the API by the sweep. */
  reconcileAfterMinutes: z.number().int().positive().max(10_080).default(60),
  /** How far back the sweep's first continuous sync reads Junction's orders (older ones are the backfill's). */
  syncLookbackHours: z.number().positive().max(8760).default(24),
  /** Longest time one hourly sweep spends on the sync (the function's timeout is 5 minutes; the stale rules need the rest). */
  syncMaxSeconds: z.number().int().positive().max(170).default(120),
  /**
   * Opt-in (CONTRACT §9): a follow-up still `new` this many hours after it opened is
   * notified once (`not_acknowledged`). Null: no reminder.
   */
  followUpAckHours: z.number().positive().max(8760).nullable().default(null),
  /**
   * CONTRACT §9 (FOLLOW_UP_MISSING_RESULTS): true opens a follow-up (`attention: "no_redraw"`) for a
   * transaction that ended with results missing and never had a redraw (a failed test kit, a lost
   * sample, a walk-in without redraws); false keeps the tracker to redraws only. Changes only what
   * opens from then on.
   */
  followUpMissingResults: z.boolean().default(true),
  /**
   * Ends every alert's subject (`Redraw stuck 9 days (no progress) - owner: j.doe - prod`) so a
   * reader knows which deployment it comes from. Null: the stack's name.
   */
  environmentName: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1-40 letters, digits and ._-').nullable().default(null),
  /** An IANA time zone (e.g. America/New_York) the alerts give beside each UTC time. Null: UTC only. */
  alertTimeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/New_York').nullable().default(null),
  /**
   * More stale flags than this in a day raises `StaleFlagsSurge` (a mass of flags at once means
   * a broken feed or a changed rule, not that many patients); 0 turns the alarm off.
   */
  staleFlagsPerDayAlarm: z.number().int().min(0).default(25),
  /**
   * CONTRACT §11: the weekly digest (last week's report and the ten most overdue follow-ups, to the
   * notification topic). False: no schedule and no digest function.
   */
  weeklyDigest: z.boolean().default(true),
  /** The day the digest goes out (it always reports the last whole Monday-to-Sunday week). */
  digestDay: z.enum(DIGEST_DAYS).default('MON'),
  /** The hour (0-23, in digestTimeZone) the digest goes out. */
  digestHour: z.number().int().min(0).max(23).default(8),
  /** The IANA time zone of digestDay and digestHour, and whose Monday 00:00 starts a digest's week (DIGEST_TIMEZONE). */
  digestTimeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  /** Days a transaction that is over (and its orders), or an ended order without one, is kept (CONTRACT §8, DynamoDB TTL). */
  retentionDays: z.number().int().positive().max(36_500).default(365),
  /** The console on AWS (CONTRACT §12: CloudFront, S3, a Cognito user pool, JWT routes); false deploys none of it. */
  console: z.boolean().default(true),
  /**
   * The Cognito domain prefix of the console's sign-in pages (`<prefix>.auth.<region>.amazoncognito.com`), unique in the
   * region across AWS; null: `redraw-tracker-<account id>` (set one for a second stack in the same account and region).
   */
  consoleDomainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and hyphens, 1-63, not starting or ending with a hyphen')
    .refine((prefix) => !/aws|amazon|cognito/.test(prefix), 'Cognito refuses prefixes containing aws, amazon or cognito')
    .nullable()
    .default(null),
  /** Cognito's feature plan: essentials (default), or plus with threat protection enforced (billed per active user). */
  consoleTier: z.enum(['essentials', 'plus']).default('essentials'),
  /** Optional: the Cognito group a console user needs to close or reopen (CLOSE_REQUIRES_GROUP); null: everyone signed in may. */
  consoleCloseGroup: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a Cognito group name: 1-128 letters, digits and ._-').nullable().default(null),
  /** Optional: the Cognito group a console user needs for the four booking actions (BOOKING_REQUIRES_GROUP, CONTRACT §14); null: everyone signed in may. */
  consoleBookingGroup: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a Cognito group name: 1-128 letters, digits and ._-').nullable().default(null),
  /** CONTRACT §14 (JUNCTION_BOOKING_ASYNC): a booking asks Junction to confirm with Quest asynchronously (`pending` until Quest confirms). */
  junctionBookingAsync: z.boolean().default(false),
  /** Optional: the countries (ISO 3166-1 alpha-2, e.g. US) the console may be reached from; null: everywhere. */
  consoleCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as US')).min(1).nullable().default(null),
  /**
   * Optional: stale-redraw notifications in a Slack channel through Amazon Q Developer in
   * chat applications (the workspace must be authorized in its console first). Null: no chat configuration.
   */
  slack: z
    .strictObject({
      /** The Slack workspace id (e.g. T0123456789), from the Amazon Q Developer console. */
      workspaceId: z.string().regex(/^[0-9A-Z]{1,255}$/, 'a Slack workspace id such as T0123456789'),
      /** The Slack channel id (e.g. C0123456789; in Slack: channel details, at the bottom). */
      channelId: z.string().regex(/^[A-Za-z0-9]+$/, 'a Slack channel id such as C0123456789'),
    })
    .nullable()
    .default(null),
  /**
   * Optional (CONTRACT §13): one FHIR R4 Task per follow-up in the team's FHIR server (docs/deploy.md, "Your EHR").
   * Null: off, and nothing of it is deployed.
   */
  fhir: FhirSchema.nullable().default(null),
});

/** Validated deployment settings. */
export type Settings = z.output<typeof SettingsSchema>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Parses raw settings (the value of the `redrawTracker` context key), or throws a
 * SettingsError naming every bad setting.
 */
export function parseSettings(raw: unknown): Settings {
  const result = SettingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length > 0 ? `${SETTINGS_CONTEXT_KEY}.${issue.path.join('.')}` : SETTINGS_CONTEXT_KEY;
    return `${name}: ${issue.message}`;
  });
  throw new SettingsError(`invalid cdk.json context: ${problems.join('; ')}`);
}

/** Reads and validates the settings from the app's context. */
export function readSettings(scope: Construct): Settings {
  return parseSettings(scope.node.tryGetContext(SETTINGS_CONTEXT_KEY));
}
