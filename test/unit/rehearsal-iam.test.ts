/**
 * The deploy rehearsal's policy evaluation (test/support/rehearsal/iam.ts): the
 * rehearsal is only as strict as this, so its rules are held here.
 */
import { describe, expect, it } from 'vitest';
import { isAllowed, type AccessRequest, type Statement } from '../support/rehearsal/iam';

const role = 'arn:aws:iam::123456789012:role/Stack-WebhookRole';
const other = 'arn:aws:iam::123456789012:role/Stack-QueryRole';
const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/tracker';
const key = 'arn:aws:kms:us-east-1:123456789012:key/OpsKey';
const request = (action: string, resource: string, context: AccessRequest['context'] = {}) => ({ principal: role, action, resource, context });
const allow = (Action: string | string[], Resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra });

describe('isAllowed', () => {
  it('allows what an identity statement names, and nothing else', () => {
    const identity = [allow('dynamodb:PutItem', table)];
    expect(isAllowed(request('dynamodb:PutItem', table), { identity })).toBe(true);
    expect(isAllowed(request('dynamodb:GetItem', table), { identity })).toBe(false);
    expect(isAllowed(request('dynamodb:PutItem', `${table}-other`), { identity })).toBe(false);
    expect(isAllowed(request('dynamodb:Query', `${table}/index/open-redraws`), { identity })).toBe(false);
  });

  it('matches wildcards in actions (without case) and resources', () => {
    const identity = [allow('DynamoDB:Get*', `${table}/index/*`)];
    expect(isAllowed(request('dynamodb:GetItem', `${table}/index/open-redraws`), { identity })).toBe(true);
    expect(isAllowed(request('dynamodb:GetItem', table), { identity })).toBe(false);
  });

  it('evaluates ForAllValues:StringLike on dynamodb:LeadingKeys as IAM does (every key under a prefix; none named: it holds)', () => {
    const identity = [allow(['dynamodb:PutItem', 'dynamodb:UpdateItem'], table, { Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLAIM#digest#*'] } } })];
    expect(isAllowed(request('dynamodb:PutItem', table, { 'dynamodb:LeadingKeys': ['CLAIM#digest#UTC#2026-11-16'] }), { identity })).toBe(true);
    expect(isAllowed(request('dynamodb:PutItem', table, { 'dynamodb:LeadingKeys': ['CLAIM#notification#alert#o-1'] }), { identity })).toBe(false);
    expect(isAllowed(request('dynamodb:UpdateItem', table, { 'dynamodb:LeadingKeys': ['ORDER#o-1'] }), { identity })).toBe(false);
    expect(isAllowed(request('dynamodb:UpdateItem', table, { 'dynamodb:LeadingKeys': ['CLAIM#digest#a', 'ORDER#o-1'] }), { identity })).toBe(false);
    // IAM's rule for ForAllValues: a request that names no key matches (the empty set).
    expect(isAllowed(request('dynamodb:PutItem', table), { identity })).toBe(true);
    // A multi-valued key under a plain operator, or ForAnyValue, is refused loudly.
    expect(() => isAllowed(request('dynamodb:PutItem', table, { 'dynamodb:LeadingKeys': ['x'] }), { identity: [allow('dynamodb:PutItem', table, { Condition: { StringLike: { 'dynamodb:LeadingKeys': 'x' } } })] })).toThrow(/ForAllValues/);
    expect(() => isAllowed(request('dynamodb:PutItem', table), { identity: [allow('dynamodb:PutItem', table, { Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': 'x' } } })] })).toThrow(/ForAnyValue/);
  });

  it('lets an explicit Deny in any policy win over an Allow', () => {
    const identity = [allow('sns:Publish', '*')];
    const resource: Statement[] = [{ Effect: 'Deny', Action: 'sns:Publish', Resource: '*', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }];
    expect(isAllowed(request('sns:Publish', 'arn:topic', { 'aws:SecureTransport': 'true' }), { identity, resource })).toBe(true);
    expect(isAllowed(request('sns:Publish', 'arn:topic', { 'aws:SecureTransport': 'false' }), { identity, resource })).toBe(false);
  });

  it('grants through a resource policy only the principal it names', () => {
    const resource = [allow('sns:Publish', '*', { Principal: { AWS: role } })];
    expect(isAllowed(request('sns:Publish', 'arn:topic'), { identity: [], resource })).toBe(true);
    expect(isAllowed({ ...request('sns:Publish', 'arn:topic'), principal: other }, { identity: [], resource })).toBe(false);
  });

  it("needs a KMS key's policy: a direct grant (its conditions holding), or the account's delegation plus an identity grant", () => {
    const direct = [allow('kms:Decrypt', '*', { Principal: { AWS: role }, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } })];
    const via = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };
    expect(isAllowed(request('kms:Decrypt', key, via), { identity: [], resource: direct, kmsKey: true })).toBe(true);
    expect(isAllowed(request('kms:Decrypt', key, { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' }), { identity: [], resource: direct, kmsKey: true })).toBe(false);
    const delegation = [allow('kms:*', '*', { Principal: { AWS: 'arn:aws:iam::123456789012:root' } })];
    expect(isAllowed(request('kms:Decrypt', key), { identity: [], resource: delegation, kmsKey: true })).toBe(false);
    expect(isAllowed(request('kms:Decrypt', key), { identity: [allow('kms:Decrypt', key)], resource: delegation, kmsKey: true })).toBe(true);
    // Without the key policy, an identity grant alone is not enough.
    expect(isAllowed(request('kms:Decrypt', key), { identity: [allow('kms:Decrypt', key)], resource: [], kmsKey: true })).toBe(false);
  });

  it('holds DynamoDB requests to their partitions with ForAllValues:StringLike on dynamodb:LeadingKeys', () => {
    const identity = [allow('dynamodb:GetItem', table, { Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*', 'ORDER#*'] } } })];
    const keys = (...leading: string[]) => request('dynamodb:GetItem', table, { 'dynamodb:LeadingKeys': leading });
    expect(isAllowed(keys('FOLLOWUP#tx-1'), { identity })).toBe(true);
    expect(isAllowed(keys('ORDER#o-1', 'FOLLOWUP#tx-1'), { identity })).toBe(true);
    expect(isAllowed(keys('TXN#tx-1'), { identity })).toBe(false);
    expect(isAllowed(keys('FOLLOWUP#tx-1', 'REPORT#opened#2026-03'), { identity })).toBe(false);
    // IAM's rule for a request without the key (a Scan has no leading keys): ForAllValues holds.
    expect(isAllowed(request('dynamodb:GetItem', table), { identity })).toBe(true);
    // A single-valued operator on a multi-valued key is a mistake in the policy, not a denial.
    expect(() => isAllowed(keys('FOLLOWUP#tx-1'), { identity: [allow('dynamodb:GetItem', table, { Condition: { StringLike: { 'dynamodb:LeadingKeys': 'FOLLOWUP#*' } } })] })).toThrow(/ForAllValues/);
  });

  it('lets a resource policy grant a service principal only when it names that service, its conditions holding', () => {
    const fn = 'arn:aws:lambda:us-east-1:123456789012:function:Stack-FollowUpActions';
    const api = 'arn:aws:execute-api:us-east-1:123456789012:Stack-Api/*/*/follow-ups/{follow_up_id}/actions';
    const resource: Statement[] = [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fn, Principal: { Service: 'apigateway.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': api } } }];
    const invoke = (principal: string, sourceArn?: string): AccessRequest => ({ principal, action: 'lambda:InvokeFunction', resource: fn, context: sourceArn === undefined ? {} : { 'aws:SourceArn': sourceArn } });
    const fromRoute = 'arn:aws:execute-api:us-east-1:123456789012:Stack-Api/$default/POST/follow-ups/{follow_up_id}/actions';
    expect(isAllowed(invoke('apigateway.amazonaws.com', fromRoute), { identity: [], resource })).toBe(true);
    expect(isAllowed(invoke('apigateway.amazonaws.com', 'arn:aws:execute-api:us-east-1:123456789012:OtherApi/$default/POST/follow-ups/{follow_up_id}/actions'), { identity: [], resource })).toBe(false);
    expect(isAllowed(invoke('events.amazonaws.com', fromRoute), { identity: [], resource })).toBe(false);
    expect(isAllowed(invoke(role), { identity: [], resource })).toBe(false);
  });

  it('refuses to evaluate what it does not know rather than pass it', () => {
    expect(() => isAllowed(request('s3:GetObject', 'arn:b'), { identity: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] })).toThrow(/NotAction/);
    expect(() => isAllowed(request('s3:GetObject', 'arn:b'), { identity: [allow('s3:GetObject', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })] })).toThrow(/IpAddress/);
    expect(() => isAllowed(request('s3:GetObject', 'arn:b'), { identity: [allow('s3:GetObject', '*', { Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': 'x' } } })] })).toThrow(/ForAnyValue/);
  });
});
