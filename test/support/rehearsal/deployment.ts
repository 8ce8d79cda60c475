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
import { type TemplateResource, TemplateResolver } from './template-resolver';

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

/**
 * The AWS-managed policies a role of the stack may have, with the statements AWS defines for them.
 * Only CDK's BucketDeployment helper (the console's upload) has one; the tracker's roles have none.
 */
const MANAGED_POLICIES: Record<string, Statement[]> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': [
    { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
  ],
};

/** Reads `<stackName>.template.json` and `<stackName>.assets.json` from a cloud assembly directory. */
export function readDeployment(assemblyDir: string, stackName: string, standIns: StandIns, edit?: (template: TemplateJson) => void): Deployment {
  const raw = JSON.parse(readFileSync(join(assemblyDir, `${stackName}.template.json`), 'utf8')) as TemplateJson;
  edit?.(raw);
  const resources = Template.parse(raw).Resources;
  const assets = AssetManifest.parse(JSON.parse(readFileSync(join(assemblyDir, `${stackName}.assets.json`), 'utf8')));
  const resolver = new TemplateResolver(resources, stackName, standIns);
  const template: TemplateParts = { resources, resolver, ofType: (type) => Object.entries(resources).filter(([, resource]) => resource.Type === type) };
  // The secrets first: their values are what the dynamic references elsewhere resolve to.
  const secrets = readSecrets(template, standIns);
  return {
    stackName,
    account: standIns.account,
    region: standIns.region,
    functions: readFunctions(template, standIns, (path) => join(assemblyDir, path), assets),
    table: readTable(template, standIns),
    secrets,
    topics: readTopics(template),
    queues: readQueues(template),
    keys: new Map(template.ofType('AWS::KMS::Key').map(([id, { Properties }]) => [resolver.arnOf(id), statementsOf(template, Properties.KeyPolicy)])),
    rolePolicies: readRolePolicies(template),
    functionPolicies: readFunctionPolicies(template, standIns),
    resolve: resolver.resolve,
  };
}

/** The template's resources, how their values resolve, and those of one type. */
interface TemplateParts {
  resources: Record<string, TemplateResource>;
  resolver: TemplateResolver;
  ofType(type: string): [string, TemplateResource][];
}

const optionalString = ({ resolver }: TemplateParts, value: unknown) => (value === undefined ? undefined : z.string().parse(resolver.resolve(value)));
const statementsOf = ({ resolver }: TemplateParts, document: unknown): Statement[] => z.object({ Statement: z.array(z.custom<Statement>()) }).parse(resolver.resolve(document)).Statement;

/** The secrets the template creates (their values kept for its dynamic references) and those it only names, by ARN. */
function readSecrets(template: TemplateParts, standIns: StandIns): Deployment['secrets'] {
  const { resolver } = template;
  const secrets: Deployment['secrets'] = new Map();
  for (const [id, { Properties }] of template.ofType('AWS::SecretsManager::Secret')) {
    const arn = resolver.refOf(id);
    const value = Properties.SecretString !== undefined ? z.string().parse(resolver.resolve(Properties.SecretString)) : standIns.generatedSecret(id);
    resolver.secretValues.set(arn, value);
    secrets.set(arn, { logicalId: id, value, kmsKeyArn: optionalString(template, Properties.KmsKeyId) });
  }
  for (const [name, value] of Object.entries(standIns.importedSecrets ?? {})) {
    // The aws/secretsmanager key: no key policy of the template's to check (an AWS-managed key trusts the account's callers through the service).
    secrets.set(`arn:aws:secretsmanager:${standIns.region}:${standIns.account}:secret:${name}-Rh3sAl`, { logicalId: name, value, kmsKeyArn: undefined });
  }
  return secrets;
}

function readTopics(template: TemplateParts): Deployment['topics'] {
  const topics: Deployment['topics'] = new Map();
  for (const [id, { Properties }] of template.ofType('AWS::SNS::Topic')) topics.set(template.resolver.refOf(id), { kmsKeyArn: optionalString(template, Properties.KmsMasterKeyId), policy: [] });
  for (const [, { Properties }] of template.ofType('AWS::SNS::TopicPolicy')) {
    for (const topic of z.array(z.string()).parse(template.resolver.resolve(Properties.Topics))) topics.get(topic)?.policy.push(...statementsOf(template, Properties.PolicyDocument));
  }
  return topics;
}

function readQueues(template: TemplateParts): Deployment['queues'] {
  const { resolver } = template;
  const queues: Deployment['queues'] = new Map();
  for (const [id, { Properties }] of template.ofType('AWS::SQS::Queue')) queues.set(resolver.refOf(id), { logicalId: id, arn: resolver.arnOf(id), kmsKeyArn: optionalString(template, Properties.KmsMasterKeyId), policy: [] });
  for (const [, { Properties }] of template.ofType('AWS::SQS::QueuePolicy')) {
    for (const queue of z.array(z.string()).parse(resolver.resolve(Properties.Queues))) queues.get(queue)?.policy.push(...statementsOf(template, Properties.PolicyDocument));
  }
  return queues;
}

/** Each role's identity policy statements: its inline and known managed policies, and the policies attached to it. */
function readRolePolicies(template: TemplateParts): Deployment['rolePolicies'] {
  const { resolver } = template;
  const rolePolicies: Deployment['rolePolicies'] = new Map();
  for (const [id, { Properties }] of template.ofType('AWS::IAM::Role')) {
    const inline = z.array(z.object({ PolicyDocument: z.unknown() })).optional().parse(Properties.Policies) ?? [];
    // AWS-managed policies are not in the template: only those whose document is known here (AWS's own definition).
    const managed = z.array(z.string()).optional().parse(resolver.resolve(Properties.ManagedPolicyArns)) ?? [];
    const managedStatements = managed.flatMap((arn) => {
      const statements = MANAGED_POLICIES[arn];
      if (statements === undefined) throw new Error(`role ${id} has the managed policy ${arn}: the rehearsal evaluates inline, attached and known managed policy documents only`);
      return statements;
    });
    rolePolicies.set(resolver.arnOf(id), [...inline.flatMap(({ PolicyDocument }) => statementsOf(template, PolicyDocument)), ...managedStatements]);
  }
  for (const [, { Properties }] of template.ofType('AWS::IAM::Policy')) {
    const statements = statementsOf(template, Properties.PolicyDocument);
    for (const role of z.array(z.object({ Ref: z.string() })).parse(Properties.Roles ?? [])) rolePolicies.get(resolver.arnOf(role.Ref))?.push(...statements);
  }
  return rolePolicies;
}

/**
 * Each function's resource policy, by function ARN: a Lambda permission is a statement of it, its
 * principal, and its SourceArn / SourceAccount as the conditions Lambda writes for them.
 */
function readFunctionPolicies(template: TemplateParts, standIns: StandIns): Deployment['functionPolicies'] {
  const functionPolicies: Deployment['functionPolicies'] = new Map();
  for (const [id, { Properties }] of template.ofType('AWS::Lambda::Permission')) {
    const permission = z
      .object({ Action: z.string(), FunctionName: z.string(), Principal: z.string(), SourceArn: z.string().optional(), SourceAccount: z.string().optional() })
      .strict()
      .parse(template.resolver.resolve(Properties));
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
    const arn = permission.FunctionName.startsWith('arn:') ? permission.FunctionName : `arn:aws:lambda:${standIns.region}:${standIns.account}:function:${permission.FunctionName}`;
    functionPolicies.set(arn, [...(functionPolicies.get(arn) ?? []), { ...statement, Resource: arn }]);
  }
  return functionPolicies;
}

/** The template's one table, and what DynamoDB Local can create of it. */
function readTable(template: TemplateParts, standIns: StandIns): Deployment['table'] {
  const { resolver } = template;
  const [tableEntry, ...moreTables] = template.ofType('AWS::DynamoDB::Table');
  if (!tableEntry || moreTables.length > 0) throw new Error('the rehearsal expects exactly one table');
  const [tableId, { Properties: tableProperties }] = tableEntry;
  const sse = z.object({ KMSMasterKeyId: z.unknown().optional() }).optional().parse(tableProperties.SSESpecification);
  return {
    name: standIns.tableName,
    arn: resolver.arnOf(tableId),
    kmsKeyArn: optionalString(template, sse?.KMSMasterKeyId),
    // What DynamoDB Local can create of it: keys, indexes, billing and stream (encryption, recovery and protection are AWS's).
    createTable: {
      TableName: standIns.tableName,
      ...Object.fromEntries(
        ['KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'BillingMode'].flatMap((name) => (tableProperties[name] === undefined ? [] : [[name, resolver.resolve(tableProperties[name])]])),
      ),
      StreamSpecification: { StreamEnabled: true, ...z.object({ StreamViewType: z.string() }).parse(resolver.resolve(tableProperties.StreamSpecification)) },
    },
  };
}

/** Each function: its names, role, bundle (the asset its code names, under the assembly), handler, settings and resolved environment. */
function readFunctions(template: TemplateParts, standIns: StandIns, inAssembly: (path: string) => string, assets: z.output<typeof AssetManifest>): DeployedFunction[] {
  const { resolver } = template;
  return template.ofType('AWS::Lambda::Function').map(([id, { Properties }]): DeployedFunction => {
    const code = z.object({ S3Key: z.string() }).parse(Properties.Code);
    const asset = assets.files[code.S3Key.replace(/\.zip$/, '')];
    if (!asset) throw new Error(`no asset in the manifest for ${id}`);
    const environment = z
      .object({ Variables: z.record(z.string(), z.unknown()).default({}) })
      .default({ Variables: {} })
      .parse(Properties.Environment).Variables;
    const variables = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => {
        const resolved = z.string().parse(resolver.resolve(value));
        return [name, standIns.urls?.[resolved] ?? resolved];
      }),
    );
    const [file, exportName] = z.string().parse(Properties.Handler).split('.');
    return {
      logicalId: id,
      service: variables.POWERTOOLS_SERVICE_NAME ?? id,
      name: resolver.functionName(id),
      arn: resolver.arnOf(id),
      roleArn: z.string().parse(resolver.resolve(Properties.Role)),
      codeDir: inAssembly(asset.source.path),
      handler: { file: `${file}.mjs`, exportName: exportName ?? 'handler' },
      environment: variables,
      memorySize: z.number().default(128).parse(Properties.MemorySize),
      timeoutSeconds: z.number().default(3).parse(Properties.Timeout),
      runtime: z.string().parse(Properties.Runtime),
    };
  });
}
