/**
 * IAM's policy evaluation, as much of it as the stack's policies use, for the
 * deploy rehearsal: within one account, an explicit Deny in any applicable
 * policy wins; otherwise an Allow in the principal's identity policies or in
 * the resource's policy (naming the principal) grants the request. A KMS key is
 * stricter: its key policy must allow the principal, directly or by delegating
 * to the account's IAM policies (a statement for the account root).
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
  /** The role's ARN. */
  principal: string;
  /** e.g. `dynamodb:PutItem` */
  action: string;
  /** The resource's ARN. */
  resource: string;
  /** Condition keys of the request (`aws:SecureTransport`, `kms:ViaService`, ...); a multi-valued one (`dynamodb:LeadingKeys`) as a list. */
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

function conditionsHold(statement: Statement, context: Record<string, string | readonly string[]>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([qualified, entries]) => {
    // `ForAllValues:<operator>`: every value of a multi-valued key must match one of the expected values.
    const forAll = qualified.startsWith('ForAllValues:');
    const operator = forAll ? qualified.slice('ForAllValues:'.length) : qualified;
    const test = OPERATORS[operator];
    if (!test || qualified.startsWith('ForAnyValue:')) throw new Error(`the rehearsal does not evaluate the condition operator ${qualified}`);
    return Object.entries(entries).every(([key, expected]) => {
      const actual = context[key];
      if (forAll) {
        // IAM's rule: a key the request does not carry is an empty set, and every value of an empty set matches.
        return (actual === undefined ? [] : typeof actual === 'string' ? [actual] : actual).every((value) => list(expected).some((pattern) => test(value, pattern)));
      }
      if (actual !== undefined && typeof actual !== 'string') throw new Error(`the multi-valued key ${key} needs a ForAllValues operator`);
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
