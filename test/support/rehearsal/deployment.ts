/**
 * What CloudFormation would deploy, read from a synthesized cloud assembly: the
 * template (every intrinsic resolved to a local stand-in, as CloudFormation
 * resolves them to the resources it creates) and each function's bundle as its
 * asset manifest names it. Nothing here reads the stack's code: only what
 * `cdk synth` wrote.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Statement } from './iam';

/** A template's resource, loosely: every property is read through `resolve`. */
const Resource = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}) });
const Template = z.object({ Resources: z.record(z.string(), Resource) });
export type TemplateJson = z.input<typeof Template>;

const AssetManifest = z.object({ files: z.record(z.string(), z.object({ source: z.object({ path: z.string() }) })) });

export interface StandIns {
  account: string;
  region: string;
  /** The physical name of the stack's table (a table created in DynamoDB Local from the template's design). */
  tableName: string;
  /** The stream ARN of that table. */
  streamArn: string;
  /** What a generated secret (GenerateSecretString) holds once CloudFormation created it. */
  generatedSecret: (logicalId: string) => string;
  /** External services' addresses as this machine reaches them (Junction's API → its stand-in), as DNS would. */
  urls?: Record<string, string>;
  /**
   * Secrets the stack only names (Secret.fromSecretNameV2: created by an operator, outside the
   * template), by name, with the value the operator stored. Each gets an ARN as Secrets Manager
   * gives one (the name, a hyphen, six random characters) under the account's default key.
   */
  importedSecrets?: Record<string, string>;
}

export interface DeployedFunction {
  logicalId: string;
  /** POWERTOOLS_SERVICE_NAME: the function's folder under functions/. */
  service: string;
  /** The physical name CloudFormation gives it (what Lambda puts in AWS_LAMBDA_FUNCTION_NAME). */
  name: string;
  arn: string;
  roleArn: string;
  /** The asset directory (what Lambda unzips in /var/task). */
  codeDir: string;
  /** `index.handler` → index.mjs, export `handler`. */
  handler: { file: string; exportName: string };
  /** The template's variables, resolved. */
  environment: Record<string, string>;
  memorySize: number;
  timeoutSeconds: number;
  runtime: string;
}

export interface Deployment {
  stackName: string;
  account: string;
  region: string;
  functions: DeployedFunction[];
  /** The table's CreateTable input for DynamoDB Local, from the template's table (name, keys, indexes, stream). */
  table: { name: string; arn: string; kmsKeyArn: string | undefined; createTable: Record<string, unknown> };
  /** Every secret by ARN: the value CloudFormation stores at creation, and its KMS key. */
  secrets: Map<string, { logicalId: string; value: string; kmsKeyArn: string | undefined }>;
  /** Every topic by ARN, with its KMS key and its topic policy statements. */
  topics: Map<string, { kmsKeyArn: string | undefined; policy: Statement[] }>;
  /** Every SQS queue by URL, with its ARN, its KMS key and its queue policy statements. */
  queues: Map<string, { logicalId: string; arn: string; kmsKeyArn: string | undefined; policy: Statement[] }>;
  /** Every KMS key by ARN, with its key policy. */
  keys: Map<string, Statement[]>;
  /** The identity policy statements of each role, by role ARN. */
  rolePolicies: Map<string, Statement[]>;
  /** Each function's resource policy (its AWS::Lambda::Permission resources as statements), by function ARN. */
  functionPolicies: Map<string, Statement[]>;
  /** Resolves any template value (for tests that read other properties). */
  resolve: (value: unknown) => unknown;
}

/** Reads `<stackName>.template.json` and `<stackName>.assets.json` from a cloud assembly directory. */
/**
 * The AWS-managed policies a role of the stack may have, with the statements AWS defines for them.
 * Only CDK's BucketDeployment helper (the console's upload) has one; the tracker's roles have none.
 */
const MANAGED_POLICIES: Record<string, Statement[]> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': [
    { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
  ],
};

export function readDeployment(assemblyDir: string, stackName: string, standIns: StandIns, edit?: (template: TemplateJson) => void): Deployment {
  const raw = JSON.parse(readFileSync(join(assemblyDir, `${stackName}.template.json`), 'utf8')) as TemplateJson;
  edit?.(raw);
  const template = Template.parse(raw);
  const assets = AssetManifest.parse(JSON.parse(readFileSync(join(assemblyDir, `${stackName}.assets.json`), 'utf8')));
  const { account, region } = standIns;
  const resources = template.Resources;
  const typeOf = (id: string) => {
    const resource = resources[id];
    if (!resource) throw new Error(`the template refers to ${id}, which it does not define`);
    return resource.Type;
  };
  const functionName = (id: string) => `${stackName}-${id}`;
  const arnOf = (id: string): string => {
    switch (typeOf(id)) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${standIns.tableName}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${functionName(id)}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${stackName}-${id}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${id}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${stackName}-${id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${stackName}-${id}:*`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${account}:event-bus/${refOf(id)}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${account}:rule/${stackName}-${id}`;
      default:
        return `arn:aws:rehearsal:${region}:${account}:${id}`;
    }
  };
  const refOf = (id: string): string => {
    switch (typeOf(id)) {
      case 'AWS::DynamoDB::Table':
        return standIns.tableName;
      case 'AWS::Lambda::Function':
        return functionName(id);
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${account}:secret:${stackName}-${id}-AbCdEf`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${stackName}-${id}`;
      case 'AWS::Events::EventBus': {
        const name = resources[id]?.Properties.Name;
        return typeof name === 'string' ? name : `${stackName}-${id}`;
      }
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${stackName}-${id}`;
      // The domain prefix it was given (the sign-in pages are https://<prefix>.auth.<region>.amazoncognito.com).
      case 'AWS::Cognito::UserPoolDomain':
        return String(resolve(resources[id]?.Properties.Domain));
      // Cognito's forms: a pool id is `<region>_<id>`, an app client id letters and digits (the functions check both at start).
      case 'AWS::Cognito::UserPool':
        return `${region}_${id.replace(/[^A-Za-z0-9]/g, '')}`;
      case 'AWS::Cognito::UserPoolClient':
        return id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
      default:
        return `${stackName}-${id}`;
    }
  };
  const pseudo: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
  };
  const secretValues = new Map<string, string>();
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') return resolveDynamicReferences(value);
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      const [fn, args] = first as [string, unknown];
      return intrinsic(fn, args);
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, resolve(inner)]));
  };
  const intrinsic = (fn: string, args: unknown): unknown => {
    switch (fn) {
      case 'Ref': {
        const id = z.string().parse(args);
        return pseudo[id] ?? refOf(id);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = z.tuple([z.string(), z.string()]).parse(args);
        if (attribute === 'Arn') return arnOf(id);
        if (attribute === 'StreamArn' && typeOf(id) === 'AWS::DynamoDB::Table') return standIns.streamArn;
        // CloudFront names a distribution d<id>.cloudfront.net; the rehearsal's is named after its logical id.
        if (attribute === 'DomainName' && typeOf(id) === 'AWS::CloudFront::Distribution') return `${id.toLowerCase()}.cloudfront.net`;
        return `${arnOf(id)}/${attribute}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = z.tuple([z.string(), z.array(z.unknown())]).parse(args);
        return parts.map((part) => String(resolve(part))).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = z.tuple([z.coerce.number(), z.unknown()]).parse(args);
        return z.array(z.unknown()).parse(resolve(list))[index];
      }
      case 'Fn::Split': {
        const [separator, text] = z.tuple([z.string(), z.unknown()]).parse(args);
        return String(resolve(text)).split(separator);
      }
      default:
        throw new Error(`the rehearsal cannot resolve ${fn} (add it to test/support/rehearsal/deployment.ts)`);
    }
  };
  // {{resolve:secretsmanager:<arn>:SecretString:::}}: CloudFormation reads the secret at deploy time.
  const resolveDynamicReferences = (text: string): string =>
    text.replace(/\{\{resolve:secretsmanager:(.+?):SecretString:::\}\}/g, (_match, arn: string) => {
      const value = secretValues.get(arn);
      if (value === undefined) throw new Error(`a dynamic reference names a secret the template does not create: ${arn}`);
      return value;
    });

  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const optionalString = (value: unknown) => (value === undefined ? undefined : z.string().parse(resolve(value)));

  const secrets: Deployment['secrets'] = new Map();
  for (const [id, { Properties }] of ofType('AWS::SecretsManager::Secret')) {
    const arn = refOf(id);
    const value = Properties.SecretString !== undefined ? z.string().parse(resolve(Properties.SecretString)) : standIns.generatedSecret(id);
    secretValues.set(arn, value);
    secrets.set(arn, { logicalId: id, value, kmsKeyArn: optionalString(Properties.KmsKeyId) });
  }
  for (const [name, value] of Object.entries(standIns.importedSecrets ?? {})) {
    // The aws/secretsmanager key: no key policy of the template's to check (an AWS-managed key trusts the account's callers through the service).
    secrets.set(`arn:aws:secretsmanager:${region}:${account}:secret:${name}-Rh3sAl`, { logicalId: name, value, kmsKeyArn: undefined });
  }
  const statementsOf = (document: unknown): Statement[] => z.object({ Statement: z.array(z.custom<Statement>()) }).parse(resolve(document)).Statement;
  const topics: Deployment['topics'] = new Map();
  for (const [id, { Properties }] of ofType('AWS::SNS::Topic')) topics.set(refOf(id), { kmsKeyArn: optionalString(Properties.KmsMasterKeyId), policy: [] });
  for (const [, { Properties }] of ofType('AWS::SNS::TopicPolicy')) {
    for (const topic of z.array(z.string()).parse(resolve(Properties.Topics))) topics.get(topic)?.policy.push(...statementsOf(Properties.PolicyDocument));
  }
  const queues: Deployment['queues'] = new Map();
  for (const [id, { Properties }] of ofType('AWS::SQS::Queue')) queues.set(refOf(id), { logicalId: id, arn: arnOf(id), kmsKeyArn: optionalString(Properties.KmsMasterKeyId), policy: [] });
  for (const [, { Properties }] of ofType('AWS::SQS::QueuePolicy')) {
    for (const queue of z.array(z.string()).parse(resolve(Properties.Queues))) queues.get(queue)?.policy.push(...statementsOf(Properties.PolicyDocument));
  }
  const keys: Deployment['keys'] = new Map(ofType('AWS::KMS::Key').map(([id, { Properties }]) => [arnOf(id), statementsOf(Properties.KeyPolicy)]));
  const rolePolicies: Deployment['rolePolicies'] = new Map();
  for (const [id, { Properties }] of ofType('AWS::IAM::Role')) {
    const inline = z.array(z.object({ PolicyDocument: z.unknown() })).optional().parse(Properties.Policies) ?? [];
    // AWS-managed policies are not in the template: only those whose document is known here (AWS's own definition).
    const managed = z.array(z.string()).optional().parse(resolve(Properties.ManagedPolicyArns)) ?? [];
    const managedStatements = managed.flatMap((arn) => {
      const statements = MANAGED_POLICIES[arn];
      if (statements === undefined) throw new Error(`role ${id} has the managed policy ${arn}: the rehearsal evaluates inline, attached and known managed policy documents only`);
      return statements;
    });
    rolePolicies.set(arnOf(id), [...inline.flatMap(({ PolicyDocument }) => statementsOf(PolicyDocument)), ...managedStatements]);
  }
  for (const [, { Properties }] of ofType('AWS::IAM::Policy')) {
    const statements = statementsOf(Properties.PolicyDocument);
    for (const role of z.array(z.object({ Ref: z.string() })).parse(Properties.Roles ?? [])) rolePolicies.get(arnOf(role.Ref))?.push(...statements);
  }

  // A Lambda permission is a statement of the function's resource policy: its principal, and its
  // SourceArn / SourceAccount as the conditions Lambda writes for them.
  const functionPolicies: Deployment['functionPolicies'] = new Map();
  for (const [id, { Properties }] of ofType('AWS::Lambda::Permission')) {
    const permission = z
      .object({ Action: z.string(), FunctionName: z.string(), Principal: z.string(), SourceArn: z.string().optional(), SourceAccount: z.string().optional() })
      .strict()
      .parse(resolve(Properties));
    const principal = /^(\d{12}|arn:)/.test(permission.Principal) ? { AWS: permission.Principal } : { Service: permission.Principal };
    const statement: Statement = {
      Sid: id,
      Effect: 'Allow',
      Action: permission.Action,
      Resource: permission.FunctionName,
      Principal: principal,
      ...(permission.SourceArn === undefined && permission.SourceAccount === undefined
        ? {}
        : {
            Condition: {
              ...(permission.SourceArn === undefined ? {} : { ArnLike: { 'aws:SourceArn': permission.SourceArn } }),
              ...(permission.SourceAccount === undefined ? {} : { StringEquals: { 'aws:SourceAccount': permission.SourceAccount } }),
            },
          }),
    };
    // By ARN, whether the permission names the function by ARN or by name.
    const arn = permission.FunctionName.startsWith('arn:') ? permission.FunctionName : `arn:aws:lambda:${region}:${account}:function:${permission.FunctionName}`;
    functionPolicies.set(arn, [...(functionPolicies.get(arn) ?? []), { ...statement, Resource: arn }]);
  }

  const [tableEntry, ...moreTables] = ofType('AWS::DynamoDB::Table');
  if (!tableEntry || moreTables.length > 0) throw new Error('the rehearsal expects exactly one table');
  const [tableId, { Properties: tableProperties }] = tableEntry;
  const sse = z.object({ KMSMasterKeyId: z.unknown().optional() }).optional().parse(tableProperties.SSESpecification);
  const table = {
    name: standIns.tableName,
    arn: arnOf(tableId),
    kmsKeyArn: optionalString(sse?.KMSMasterKeyId),
    // What DynamoDB Local can create of it: keys, indexes, billing and stream (encryption, recovery and protection are AWS's).
    createTable: {
      TableName: standIns.tableName,
      ...Object.fromEntries(
        ['KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'BillingMode'].flatMap((name) => (tableProperties[name] === undefined ? [] : [[name, resolve(tableProperties[name])]])),
      ),
      StreamSpecification: { StreamEnabled: true, ...z.object({ StreamViewType: z.string() }).parse(resolve(tableProperties.StreamSpecification)) },
    },
  };

  const functions = ofType('AWS::Lambda::Function').map(([id, { Properties }]): DeployedFunction => {
    const code = z.object({ S3Key: z.string() }).parse(Properties.Code);
    const asset = assets.files[code.S3Key.replace(/\.zip$/, '')];
    if (!asset) throw new Error(`no asset in the manifest for ${id}`);
    const environment = z
      .object({ Variables: z.record(z.string(), z.unknown()).default({}) })
      .default({ Variables: {} })
      .parse(Properties.Environment).Variables;
    const variables = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => {
        const resolved = z.string().parse(resolve(value));
        return [name, standIns.urls?.[resolved] ?? resolved];
      }),
    );
    const [file, exportName] = z.string().parse(Properties.Handler).split('.');
    return {
      logicalId: id,
      service: variables.POWERTOOLS_SERVICE_NAME ?? id,
      name: functionName(id),
      arn: arnOf(id),
      roleArn: z.string().parse(resolve(Properties.Role)),
      codeDir: join(assemblyDir, asset.source.path),
      handler: { file: `${file}.mjs`, exportName: exportName ?? 'handler' },
      environment: variables,
      memorySize: z.number().default(128).parse(Properties.MemorySize),
      timeoutSeconds: z.number().default(3).parse(Properties.Timeout),
      runtime: z.string().parse(Properties.Runtime),
    };
  });

  return { stackName, account, region, functions, table, secrets, topics, queues, keys, rolePolicies, functionPolicies, resolve };
}
