/**
 * IAM's policy evaluation, as much of it as the stack's policies use, for the
 * deploy rehearsal: within one account, an explicit Deny in any applicable
 * policy wins; otherwise an Allow in the principal's identity policies or in
 * the resource's policy (naming the principal) grants the request. A KMS key is
 * stricter: its key policy must allow the principal, directly or by delegating
 * to the account's IAM policies (a statement for the account root).
 *
 * Conditions: single-valued operators on single-valued keys, and
 * `ForAllValues:StringLike` on multi-valued ones (`dynamodb:LeadingKeys`): every
 * value of the request's key must match one of the condition's, and a key the
 * request does not carry holds (IAM's rule, the reason a policy must not lean on
 * it for actions without the key). A principal is a role's ARN or a service
 * (`apigateway.amazonaws.com`), which only a resource policy naming that service
 * can grant.
 *
 * What it does not do, it refuses loudly (NotAction, NotResource,
 * NotPrincipal, a condition operator it does not know), so a template that uses
 * more of IAM fails the rehearsal instead of passing it by accident.
 */

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: '*' | { AWS?: string | string[]; Service?: string | string[] };
  Condition?: Record<string, Record<string, string | string[]>>;
  NotAction?: unknown;
  NotResource?: unknown;
  NotPrincipal?: unknown;
}

export interface AccessRequest {
  /** The role's ARN, or a service principal (`apigateway.amazonaws.com`). */
  principal: string;
  /** e.g. `dynamodb:PutItem` */
  action: string;
  /** The resource's ARN. */
  resource: string;
  /** Condition keys of the request (`aws:SecureTransport`, `kms:ViaService`, ...); multi-valued ones as lists (`dynamodb:LeadingKeys`). */
  context: Record<string, string | readonly string[]>;
}

export interface Policies {
  identity: readonly Statement[];
  /** The resource's own policy (a topic policy, a key policy). */
  resource?: readonly Statement[];
  /** The resource is a KMS key: `resource` is its key policy and must allow. */
  kmsKey?: boolean;
}

/** Whether IAM would allow the request. */
export function isAllowed(request: AccessRequest, policies: Policies): boolean {
  const identity = policies.identity.filter((statement) => applies(statement, request, false));
  const resource = (policies.resource ?? []).filter((statement) => applies(statement, request, true));
  if ([...identity, ...resource].some((statement) => statement.Effect === 'Deny')) return false;
  const identityAllows = identity.some((statement) => statement.Effect === 'Allow');
  const resourceAllows = resource.some((statement) => statement.Effect === 'Allow' && principalMatches(statement, request.principal, false));
  if (!policies.kmsKey) return identityAllows || resourceAllows;
  const delegates = resource.some((statement) => statement.Effect === 'Allow' && principalMatches(statement, request.principal, true));
  return resourceAllows || (delegates && identityAllows);
}

/** Whether the statement applies to the request (action, resource, principal for a resource policy, conditions). */
function applies(statement: Statement, request: AccessRequest, resourcePolicy: boolean): boolean {
  for (const unsupported of ['NotAction', 'NotResource', 'NotPrincipal'] as const) {
    if (statement[unsupported] !== undefined) throw new Error(`the rehearsal does not evaluate ${unsupported} (statement ${statement.Sid ?? '(no sid)'})`);
  }
  if (!list(statement.Action).some((pattern) => wildcard(pattern, request.action, true))) return false;
  if (!list(statement.Resource).some((pattern) => wildcard(pattern, request.resource, false))) return false;
  if (resourcePolicy && !principalMatches(statement, request.principal, true)) return false;
  return conditionsHold(statement, request.context);
}

/**
 * Whether the statement's principal is the role, or everyone (`*`), or, with
 * `viaAccount`, the role's account root (delegation to its IAM policies).
 */
function principalMatches(statement: Statement, role: string, viaAccount: boolean): boolean {
  const principal = statement.Principal;
  if (principal === '*') return true;
  // A service principal: named by a statement's Service, never by an account or a role.
  if (!role.startsWith('arn:')) return list(principal?.Service).includes(role);
  const account = /^arn:aws:iam::(\d+):/.exec(role)?.[1];
  return list(principal?.AWS).some((name) => name === '*' || name === role || (viaAccount && (name === `arn:aws:iam::${account}:root` || name === account)));
}

const OPERATORS: Record<string, (actual: string, expected: string) => boolean> = {
  StringEquals: (actual, expected) => actual === expected,
  StringLike: (actual, expected) => wildcard(expected, actual, false),
  Bool: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
  ArnLike: (actual, expected) => wildcard(expected, actual, false),
  ArnEquals: (actual, expected) => actual === expected,
};

/** Multi-valued operators: `ForAllValues:<operator>`. */
const SET_OPERATORS: Record<string, (actual: readonly string[], expected: string[], test: (actual: string, expected: string) => boolean) => boolean> = {
  // Every value matches one expected; an absent key (no values) holds: IAM's rule.
  ForAllValues: (actual, expected, test) => actual.every((value) => expected.some((pattern) => test(value, pattern))),
};

function conditionsHold(statement: Statement, context: AccessRequest['context']): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, entries]) => {
    const [qualifier, base] = operator.includes(':') ? operator.split(':') : [undefined, operator];
    const test = OPERATORS[base ?? ''];
    const set = qualifier === undefined ? undefined : SET_OPERATORS[qualifier];
    if (!test || (qualifier !== undefined && !set)) throw new Error(`the rehearsal does not evaluate the condition operator ${operator}`);
    return Object.entries(entries).every(([key, expected]) => {
      const actual = context[key];
      if (set) {
        if (typeof actual === 'string') throw new Error(`${operator} on the single-valued key ${key}`);
        return set(actual ?? [], list(expected), test);
      }
      if (actual !== undefined && typeof actual !== 'string') throw new Error(`${operator} on the multi-valued key ${key}: use ForAllValues`);
      // A key the request does not carry: the condition does not hold (IAM's rule without IfExists).
      return actual !== undefined && list(expected).some((value) => test(actual, value));
    });
  });
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's wildcards: `*` any run of characters, `?` one; actions compare without case. */
export function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
