/**
 * How the deploy rehearsal resolves a template's values (./deployment.ts) as CloudFormation would resolve
 * them to the resources it creates: each resource's Ref and ARN named after its logical id (the table by
 * its stand-in's name, the stream by its stand-in's ARN), the pseudo parameters, the intrinsic functions
 * the stack uses, and the secrets' dynamic references. Anything else is refused rather than guessed.
 */
import * as z from 'zod';
import type { StandIns } from './deployment';

/** A template's resource, loosely: every property is read through `resolve`. */
export type TemplateResource = { Type: string; Properties: Record<string, unknown> };

export class TemplateResolver {
  /** What each secret the template creates holds, by ARN: its dynamic references read them. */
  readonly secretValues = new Map<string, string>();
  private readonly pseudo: Record<string, string>;

  constructor(
    private readonly resources: Record<string, TemplateResource>,
    private readonly stackName: string,
    private readonly standIns: StandIns,
  ) {
    this.pseudo = {
      'AWS::AccountId': standIns.account,
      'AWS::Region': standIns.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
    };
  }

  typeOf(id: string): string {
    const resource = this.resources[id];
    if (!resource) throw new Error(`the template refers to ${id}, which it does not define`);
    return resource.Type;
  }

  /** The physical name CloudFormation gives a function. */
  functionName(id: string): string {
    return `${this.stackName}-${id}`;
  }

  arnOf(id: string): string {
    const { region, account } = this.standIns;
    const named = `${this.stackName}-${id}`;
    switch (this.typeOf(id)) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${this.standIns.tableName}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${this.functionName(id)}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${named}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${id}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${named}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${named}:*`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${account}:event-bus/${this.refOf(id)}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${account}:rule/${named}`;
      default:
        return `arn:aws:rehearsal:${region}:${account}:${id}`;
    }
  }

  refOf(id: string): string {
    const { region, account } = this.standIns;
    const named = `${this.stackName}-${id}`;
    switch (this.typeOf(id)) {
      case 'AWS::DynamoDB::Table':
        return this.standIns.tableName;
      case 'AWS::Lambda::Function':
        return this.functionName(id);
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${account}:secret:${named}-AbCdEf`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${named}`;
      case 'AWS::Events::EventBus': {
        const name = this.resources[id]?.Properties.Name;
        return typeof name === 'string' ? name : named;
      }
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${named}`;
      // The domain prefix it was given (the sign-in pages are https://<prefix>.auth.<region>.amazoncognito.com).
      case 'AWS::Cognito::UserPoolDomain':
        return String(this.resolve(this.resources[id]?.Properties.Domain));
      // Cognito's forms: a pool id is `<region>_<id>`, an app client id letters and digits (the functions check both at start).
      case 'AWS::Cognito::UserPool':
        return `${region}_${id.replace(/[^A-Za-z0-9]/g, '')}`;
      case 'AWS::Cognito::UserPoolClient':
        return id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
      default:
        return named;
    }
  }

  /** Any template value, its intrinsics and dynamic references resolved (an arrow: handed around as a function). */
  readonly resolve = (value: unknown): unknown => {
    if (typeof value === 'string') return this.resolveDynamicReferences(value);
    if (Array.isArray(value)) return value.map(this.resolve);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      const [fn, args] = first as [string, unknown];
      return this.intrinsic(fn, args);
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, this.resolve(inner)]));
  };

  private intrinsic(fn: string, args: unknown): unknown {
    switch (fn) {
      case 'Ref': {
        const id = z.string().parse(args);
        return this.pseudo[id] ?? this.refOf(id);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = z.tuple([z.string(), z.string()]).parse(args);
        if (attribute === 'Arn') return this.arnOf(id);
        if (attribute === 'StreamArn' && this.typeOf(id) === 'AWS::DynamoDB::Table') return this.standIns.streamArn;
        // CloudFront names a distribution d<id>.cloudfront.net; the rehearsal's is named after its logical id.
        if (attribute === 'DomainName' && this.typeOf(id) === 'AWS::CloudFront::Distribution') return `${id.toLowerCase()}.cloudfront.net`;
        return `${this.arnOf(id)}/${attribute}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = z.tuple([z.string(), z.array(z.unknown())]).parse(args);
        return parts.map((part) => String(this.resolve(part))).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = z.tuple([z.coerce.number(), z.unknown()]).parse(args);
        return z.array(z.unknown()).parse(this.resolve(list))[index];
      }
      case 'Fn::Split': {
        const [separator, text] = z.tuple([z.string(), z.unknown()]).parse(args);
        return String(this.resolve(text)).split(separator);
      }
      default:
        throw new Error(`the rehearsal cannot resolve ${fn} (add it to test/support/rehearsal/template-resolver.ts)`);
    }
  }

  // {{resolve:secretsmanager:<arn>:SecretString:::}}: CloudFormation reads the secret at deploy time.
  private resolveDynamicReferences(text: string): string {
    return text.replace(/\{\{resolve:secretsmanager:(.+?):SecretString:::\}\}/g, (_match, arn: string) => {
      const value = this.secretValues.get(arn);
      if (value === undefined) throw new Error(`a dynamic reference names a secret the template does not create: ${arn}`);
      return value;
    });
  }
}
