/**
 * The FHIR settings (CONTRACT §13), shared by every entry that writes or reads
 * the Tasks (the writer, the sweep's catch-up, the query, `npm start`): each
 * merges `fhirSettingsShape` into its own zod settings and adds
 * `fhirSettingsRules`, parsed once at start; `fhirConfigOf` turns them into what
 * the FHIR code needs, or null while FHIR_BASE_URL is unset (off).
 *
 * The credential is a client secret or a private key (SMART Backend Services),
 * given as the value (`npm start`) or as the ARN of a Secrets Manager secret
 * (AWS). Every message names settings, never a value: a secret, a key or a part
 * of one must never reach a log.
 */
import * as z from 'zod/mini';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { FhirSystems } from '../../core/fhir/task';
import { ConfigError, optionalSetting } from '../../shared/config';
import { normalisePem, signingKeyOf } from './private-key';
import { fhirTargetOf, fhirTargetShape, httpUrl, withDefault } from './target-settings';

export {
  DEFAULT_FHIR_CODE_SYSTEM,
  DEFAULT_FHIR_ORDER_SYSTEM,
  DEFAULT_FHIR_OWNER_SYSTEM,
  DEFAULT_FHIR_TASK_SYSTEM,
} from './target-settings';
export const DEFAULT_FHIR_SCOPE = 'system/Task.rs system/Task.cu system/Practitioner.r system/PractitionerRole.r system/Provenance.rs';
export const DEFAULT_FHIR_CATCH_UP_PER_SWEEP = 200;
/** How often the writer reads the Tasks changed in the EHR (CONTRACT §13; the stack refuses less than 60). */
export const DEFAULT_FHIR_POLL_SECONDS = 300;
/** The most Tasks one poll run reads; a run cut there resumes where it stopped. */
export const DEFAULT_FHIR_POLL_MAX = 1000;
import type { FhirCredential } from './token';

/** Printable ASCII without blanks: ids travel in a JWT and a form body. */
const printableId = () =>
  optionalSetting(z.string().check(z.trim(), z.maxLength(512, 'must be at most 512 characters'), z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')));

/** OAuth 2.0 scope tokens (RFC 6749 §3.3), separated by single spaces. */
const FhirScope = withDefault(
  z.string().check(z.trim(), z.regex(/^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be scope tokens separated by single spaces, e.g. system/Task.rs system/Task.cu')),
  DEFAULT_FHIR_SCOPE,
);

const CatchUpPerSweep = withDefault(
  z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be from 1 to 1000'), z.maximum(1000, 'must be from 1 to 1000')),
  DEFAULT_FHIR_CATCH_UP_PER_SWEEP,
);

const PollSeconds = withDefault(
  z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be from 1 to 86400'), z.maximum(86_400, 'must be from 1 to 86400')),
  DEFAULT_FHIR_POLL_SECONDS,
);

const PollMax = withDefault(
  z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be from 1 to 100000'), z.maximum(100_000, 'must be from 1 to 100000')),
  DEFAULT_FHIR_POLL_MAX,
);

/** FHIR_EHR_ACTIONS: whether work done on a Task in the EHR comes back as the person's action (CONTRACT §13). */
const EhrActions = withDefault(z.enum(['on', 'off'], 'must be on or off'), 'on');

/**
 * FHIR_EHR_CLOSES: with a close group (CLOSE_REQUIRES_GROUP, CONTRACT §12) set, whether an EHR close or reopen
 * applies anyway (`allow`) or is held as `forbidden` (`group`, the default: the team's rule holds in the EHR too).
 */
const EhrCloses = withDefault(z.enum(['allow', 'group'], 'must be allow or group'), 'group');

/** The close group (CONTRACT §12), as the actions function reads it: only whether one is set matters here. */
const CloseGroup = optionalSetting(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a Cognito group name')));

/** The value itself, for `npm start`: never quoted by a message. */
const ClientSecret = optionalSetting(z.string().check(z.trim(), z.maxLength(4096, 'must be at most 4096 characters')));

/** A PEM private key; one line with literal `\n` escapes is read as the PEM it stands for. */
const PrivateKey = optionalSetting(
  z.pipe(
    z.string().check(
      z.refine((value) => signingKeyOf(value).ok, {
        // The problem names the key's type or curve, never its bytes.
        error: (issue) => {
          const key = typeof issue.input === 'string' ? signingKeyOf(issue.input) : null;
          return key !== null && !key.ok ? key.problem : 'must be a PEM private key';
        },
      }),
    ),
    z.transform(normalisePem),
  ),
);

const SecretArn = optionalSetting(z.string().check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN')));

/** Merge into an entry's settings object, with the rules: `z.object({ ...mine, ...fhirSettingsShape }).check(fhirSettingsRules)`. */
export const fhirSettingsShape = {
  ...fhirTargetShape,
  FHIR_TOKEN_URL: optionalSetting(httpUrl().check(z.trim(), z.refine((value) => !value.includes('#'), 'must have no fragment'))),
  FHIR_CLIENT_ID: printableId(),
  FHIR_SCOPE: FhirScope,
  FHIR_CATCH_UP_PER_SWEEP: CatchUpPerSweep,
  FHIR_EHR_ACTIONS: EhrActions,
  FHIR_EHR_CLOSES: EhrCloses,
  CLOSE_REQUIRES_GROUP: CloseGroup,
  FHIR_POLL_SECONDS: PollSeconds,
  FHIR_POLL_MAX: PollMax,
  FHIR_CLIENT_SECRET: ClientSecret,
  FHIR_PRIVATE_KEY: PrivateKey,
  FHIR_KEY_ID: printableId(),
  FHIR_CLIENT_SECRET_ARN: SecretArn,
  FHIR_PRIVATE_KEY_SECRET_ARN: SecretArn,
};

/**
 * npm start's FHIR settings: the shape without CONSOLE_URL (npm start links to
 * its own URL, and gives it to fhirConfigOf as `consoleUrl`).
 */
export const fhirLocalSettingsShape = (({ CONSOLE_URL: _console, CLOSE_REQUIRES_GROUP: _group, ...rest }) => rest)(fhirSettingsShape);

const FhirSettingsObject = z.object(fhirSettingsShape);

/** The settings after parsing (an entry's own settings hold these and more; npm start's have no CONSOLE_URL). */
export type FhirSettings = Omit<z.output<typeof FhirSettingsObject>, 'CONSOLE_URL' | 'CLOSE_REQUIRES_GROUP'> & { CONSOLE_URL?: string | undefined; CLOSE_REQUIRES_GROUP?: string | undefined };

/** The four ways to give the credential, by setting. */
const CREDENTIAL_SETTINGS = ['FHIR_CLIENT_SECRET', 'FHIR_PRIVATE_KEY', 'FHIR_CLIENT_SECRET_ARN', 'FHIR_PRIVATE_KEY_SECRET_ARN'] as const;

/** What is wrong across the settings, each problem under the setting to change; empty when they fit together. */
export function fhirSettingsProblems(settings: FhirSettings): { setting: keyof FhirSettings; message: string }[] {
  const problems: { setting: keyof FhirSettings; message: string }[] = [];
  const given = CREDENTIAL_SETTINGS.filter((name) => settings[name] !== undefined);
  const privateKey = settings.FHIR_PRIVATE_KEY !== undefined || settings.FHIR_PRIVATE_KEY_SECRET_ARN !== undefined;
  if (settings.FHIR_TOKEN_URL !== undefined) {
    if (settings.FHIR_CLIENT_ID === undefined) problems.push({ setting: 'FHIR_CLIENT_ID', message: 'is required when FHIR_TOKEN_URL is set' });
    if (given.length === 0) {
      problems.push({ setting: 'FHIR_TOKEN_URL', message: `needs a credential: set one of ${listed(CREDENTIAL_SETTINGS, 'or')}` });
    }
  } else {
    const needing = [...(settings.FHIR_CLIENT_ID === undefined ? [] : ['FHIR_CLIENT_ID']), ...given];
    if (needing.length > 0) problems.push({ setting: 'FHIR_TOKEN_URL', message: `is required when ${listed(needing, 'and')} ${needing.length === 1 ? 'is' : 'are'} set` });
  }
  if (given.length > 1) problems.push({ setting: given[1]!, message: `set only one credential: ${listed(given, 'and')} are set` });
  if (privateKey && settings.FHIR_KEY_ID === undefined) problems.push({ setting: 'FHIR_KEY_ID', message: 'is required with a private key (the kid of its public key in the JWK Set the server knows)' });
  if (!privateKey && settings.FHIR_KEY_ID !== undefined) problems.push({ setting: 'FHIR_KEY_ID', message: 'is only for a private key: set FHIR_PRIVATE_KEY or FHIR_PRIVATE_KEY_SECRET_ARN, or unset it' });
  return problems;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[], last: 'and' | 'or'): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} ${last} ${names.at(-1)}`;
}

/** The rules across the FHIR settings, for an entry's settings object: `.check(fhirSettingsRules)`. */
export const fhirSettingsRules = z.superRefine((settings: FhirSettings, context) => {
  for (const { setting, message } of fhirSettingsProblems(settings)) {
    context.addIssue({ code: 'custom', message, path: [setting], input: undefined });
  }
});

/** The FHIR settings alone, with their rules. */
export const FhirSettings = FhirSettingsObject.check(fhirSettingsRules);

/** What the FHIR code needs of the settings. */
export interface FhirConfig {
  /** No trailing slash. */
  baseUrl: string;
  /** The systems and the console's URL: what every function that computes a Task's digest needs. */
  systems: FhirSystems;
  catchUpPerSweep: number;
  /** FHIR_EHR_ACTIONS: work done on a Task in the EHR applies as the person's action (false: held as `changed_in_ehr`). */
  ehrActions: boolean;
  /** A close group is set and FHIR_EHR_CLOSES is not `allow`: an EHR close or reopen is held as `forbidden` (CONTRACT §13). */
  ehrClosesHeld?: boolean;
  /** FHIR_POLL_SECONDS and FHIR_POLL_MAX: how often the Tasks changed in the EHR are read, and at most how many a run. */
  pollSeconds: number;
  pollMax: number;
  /** null: the server wants no token (FHIR_TOKEN_URL unset). */
  auth: FhirAuth | null;
}

export interface FhirAuth {
  tokenUrl: string;
  clientId: string;
  scope: string;
  credential: FhirCredential;
}

export interface FhirConfigOptions {
  /** Where secrets named by ARN are read (tests: a stand-in); default: the shared provider, made at the first read. */
  secrets?: SecretsProvider;
  /** The console's base URL when the entry knows it otherwise (npm start's own, once it listens); default: CONSOLE_URL. */
  consoleUrl?: string | null;
}

/**
 * The configuration for `settings`, or null while FHIR_BASE_URL is unset (off).
 * Throws a ConfigError naming the settings when the rules across them are broken
 * (so an entry that merged the shape without the rules still fails at start).
 */
export function fhirConfigOf(settings: FhirSettings, options: FhirConfigOptions = {}): FhirConfig | null {
  const problems = fhirSettingsProblems(settings);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.map(({ setting, message }) => `${setting}: ${message}`).join('; ')}`);
  const target = fhirTargetOf(settings, options.consoleUrl);
  if (target === null) return null;
  return {
    ...target,
    catchUpPerSweep: settings.FHIR_CATCH_UP_PER_SWEEP,
    ehrActions: settings.FHIR_EHR_ACTIONS === 'on',
    ehrClosesHeld: settings.CLOSE_REQUIRES_GROUP !== undefined && settings.FHIR_EHR_CLOSES !== 'allow',
    pollSeconds: settings.FHIR_POLL_SECONDS,
    pollMax: settings.FHIR_POLL_MAX,
    auth: authOf(settings, options),
  };
}

function authOf(settings: FhirSettings, options: FhirConfigOptions): FhirAuth | null {
  const { FHIR_TOKEN_URL: tokenUrl, FHIR_CLIENT_ID: clientId } = settings;
  if (tokenUrl === undefined || clientId === undefined) return null;
  return { tokenUrl, clientId, scope: settings.FHIR_SCOPE, credential: credentialOf(settings, options) };
}

function credentialOf(settings: FhirSettings, options: FhirConfigOptions): FhirCredential {
  const keyId = settings.FHIR_KEY_ID ?? '';
  if (settings.FHIR_CLIENT_SECRET !== undefined) return { kind: 'secret', read: constant(settings.FHIR_CLIENT_SECRET) };
  if (settings.FHIR_PRIVATE_KEY !== undefined) return { kind: 'private_key', keyId, read: constant(settings.FHIR_PRIVATE_KEY) };
  if (settings.FHIR_CLIENT_SECRET_ARN !== undefined) {
    return { kind: 'secret', read: secretReader(settings.FHIR_CLIENT_SECRET_ARN, 'FHIR_CLIENT_SECRET_ARN', (text) => text.trim(), options) };
  }
  if (settings.FHIR_PRIVATE_KEY_SECRET_ARN !== undefined) {
    return { kind: 'private_key', keyId, read: secretReader(settings.FHIR_PRIVATE_KEY_SECRET_ARN, 'FHIR_PRIVATE_KEY_SECRET_ARN', normalisePem, options) };
  }
  // fhirSettingsProblems has made sure a token URL comes with a credential.
  throw new ConfigError('invalid configuration: FHIR_TOKEN_URL: needs a credential');
}

const constant = (value: string) => () => Promise.resolve(value);

/**
 * A reader of the secret `arn` (Powertools' cache: asked again after 5 minutes,
 * a failure never kept). Secrets Manager's module is loaded at the first read,
 * so an entry with the value in its environment, or none, never loads it. A
 * failure is a ConfigError naming `setting` and the error's type only.
 */
function secretReader(arn: string, setting: string, clean: (text: string) => string, options: FhirConfigOptions): () => Promise<string> {
  let reader: Promise<{ read: () => Promise<string | null>; fail: (error: unknown) => never }> | undefined;
  return async () => {
    reader ??= import('../../shared/secrets-manager').then(({ secretStringReader, secretsProvider, failAsSetting }) => ({
      read: secretStringReader(arn, options.secrets ?? secretsProvider()),
      fail: failAsSetting(setting),
    }));
    const { read, fail } = await reader;
    const text = await read().catch(fail);
    if (text === null || text.trim() === '') throw new ConfigError(`invalid configuration: ${setting}: the secret must hold a string`);
    return clean(text);
  };
}
