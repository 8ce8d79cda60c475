/**
 * The CLI's only ways into AWS: the standard credential chain (profiles, SSO,
 * environment), the stack's outputs (CloudFormation DescribeStacks), the
 * caller's own identity (STS GetCallerIdentity), a secret's value (Secrets
 * Manager, for `smoke`) and the standard region chain. Injected as AwsDeps so that tests give fixed
 * credentials and a fake stack and nothing ever reaches AWS. The SDK modules
 * load on first use: local commands never pay for them.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CliError, EXIT } from './errors';

export interface StackOutputs {
  /** The region the stack was read from. */
  region: string;
  /** OutputKey -> OutputValue (lib/redraw-tracker-stack.ts: ApiUrl, TableName, ...). */
  outputs: Record<string, string>;
}

export interface AwsDeps {
  /** Credentials of the standard chain, for `profile` when given (else AWS_PROFILE or the default). */
  credentials(profile: string | undefined): AwsCredentialIdentityProvider;
  describeStack(input: { stackName: string; region: string | undefined; profile: string | undefined }): Promise<StackOutputs>;
  /** The region of the standard chain (AWS_REGION, the profile's region); undefined when there is none. */
  defaultRegion(profile: string | undefined): Promise<string | undefined>;
  /**
   * The ARN of the identity the credentials belong to (STS GetCallerIdentity):
   * what API Gateway names the caller of a signed request (`userArn`), so the
   * actor of the caller's own follow-up actions.
   */
  callerArn(input: { region: string; profile: string | undefined }): Promise<string>;
  /**
   * A secret's current string (Secrets Manager GetSecretValue), read with the
   * caller's own credentials: `smoke` reads the webhook's signing secret
   * (WebhookSecretArn). Optional so that fakes of commands that never read a
   * secret need not have it.
   */
  readSecret?(input: { secretId: string; region: string; profile: string | undefined }): Promise<string>;
}

/** The real thing: the AWS SDK's credential providers and clients, each built by its named part below. */
export function defaultAwsDeps(): AwsDeps {
  const credentials = credentialChain();
  return {
    credentials,
    describeStack: stackOutputsReader(credentials),
    callerArn: callerArnReader(credentials),
    readSecret: secretReader(credentials),
    defaultRegion: regionOfChain,
  };
}

type Credentials = AwsDeps['credentials'];

/** The options every client of a command shares: the region when known, the profile, and its credentials. */
function clientOptions(credentials: Credentials, region: string | undefined, profile: string | undefined) {
  return { ...(region ? { region } : {}), ...(profile ? { profile } : {}), credentials: credentials(profile) };
}

/** The standard credential chain, one provider per profile, its SDK module loaded on first use. */
function credentialChain(): Credentials {
  const providers = new Map<string, AwsCredentialIdentityProvider>();
  return (profile) => {
    const key = profile ?? '';
    let provider = providers.get(key);
    if (!provider) {
      let chain: AwsCredentialIdentityProvider | undefined;
      // fromNodeProviderChain memoizes what it resolves (and refreshes it before it expires).
      provider = async (options) => {
        if (!chain) {
          const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
          chain = fromNodeProviderChain(profile ? { profile } : {});
        }
        return chain(options);
      };
      providers.set(key, provider);
    }
    return provider;
  };
}

/** CloudFormation DescribeStacks: a stack's outputs and the region they were read from. */
function stackOutputsReader(credentials: Credentials): AwsDeps['describeStack'] {
  return async ({ stackName, region, profile }) => {
    const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const client = new CloudFormationClient(clientOptions(credentials, region, profile));
    try {
      const resolvedRegion = await client.config.region();
      const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
      const outputs: Record<string, string> = {};
      for (const output of answer.Stacks?.[0]?.Outputs ?? []) {
        if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
      }
      return { region: resolvedRegion, outputs };
    } catch (error) {
      throw awsFailure(error, `reading stack ${stackName}`, region);
    } finally {
      client.destroy();
    }
  };
}

/** STS GetCallerIdentity: the ARN of the identity the credentials belong to. */
function callerArnReader(credentials: Credentials): AwsDeps['callerArn'] {
  return async ({ region, profile }) => {
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const client = new STSClient(clientOptions(credentials, region, profile));
    try {
      const { Arn } = await client.send(new GetCallerIdentityCommand({}));
      if (!Arn) throw new CliError(EXIT.unreachable, 'STS GetCallerIdentity answered without an ARN: try again');
      return Arn;
    } catch (error) {
      throw awsFailure(error, 'asking STS who you are', region);
    } finally {
      client.destroy();
    }
  };
}

/** Secrets Manager GetSecretValue: a secret's current string, read with the caller's own credentials. */
function secretReader(credentials: Credentials): NonNullable<AwsDeps['readSecret']> {
  return async ({ secretId, region, profile }) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient(clientOptions(credentials, region, profile));
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (SecretString === undefined) throw new CliError(EXIT.failed, `secret ${secretId} holds no text: put the whsec_ signing secret there (docs/deploy.md)`);
      return SecretString;
    } catch (error) {
      // Refused here is about this secret, not the credentials: the identity may lack the read or its key.
      if (error instanceof Error && error.name === 'AccessDeniedException') {
        throw new CliError(EXIT.unreachable, `AWS refused to read secret ${secretId} (AccessDeniedException): your identity needs secretsmanager:GetSecretValue on it and kms:Decrypt on its key (docs/deploy.md)`);
      }
      throw awsFailure(error, `reading secret ${secretId}`, region);
    } finally {
      client.destroy();
    }
  };
}

/** The SDK's own region chain (environment, then the profile's config), without a request; undefined when there is none. */
async function regionOfChain(profile: string | undefined): Promise<string | undefined> {
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(profile ? { profile } : {});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

const AUTH_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
]);

/**
 * One line for an AWS failure. Only the error's name and fixed text are used:
 * SDK messages can quote request data, and nothing about credentials is printed.
 */
export function awsFailure(error: unknown, doing: string, region?: string): CliError {
  if (error instanceof CliError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : '';
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /credential|sso/i.test(name)) {
    return new CliError(EXIT.unreachable, `no usable AWS credentials (${name}) while ${doing}: set AWS_PROFILE (or --profile), run \`aws sso login\`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`);
  }
  if (/region is missing/i.test(message)) {
    return new CliError(EXIT.usage, `no AWS region while ${doing}: pass --region or set AWS_REGION`);
  }
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return new CliError(EXIT.usage, `${doing}: no such stack${region ? ` in ${region}` : ''}: check --stack and --region (or AWS_REGION)`);
  }
  if (AUTH_ERRORS.has(name)) {
    return new CliError(EXIT.unreachable, `AWS refused the credentials (${name}) while ${doing}: check AWS_PROFILE or --profile, and \`aws sso login\` if the session expired`);
  }
  return new CliError(EXIT.unreachable, `AWS could not be reached (${name}) while ${doing}: check the network and the region, then try again`);
}
