/** Reads IAM statements out of a synthesized template, checked with zod rather than cast. */
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import * as z from 'zod';

const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]).transform((v) => (Array.isArray(v) ? v : [v]));

const Statement = z.object({
  Effect: z.enum(['Allow', 'Deny']),
  Action: oneOrMany(z.string()),
  Resource: oneOrMany(z.unknown()),
  Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
export type Statement = z.output<typeof Statement>;

const PolicyResource = z.object({
  Properties: z.object({
    PolicyDocument: z.object({ Statement: z.array(Statement) }),
    Roles: z.array(z.unknown()).optional(),
  }),
});

/** Every identity-policy statement in the template, with the roles it is attached to. */
export function allStatements(template: Template): { roles: unknown[]; statement: Statement }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((resource) => {
    const policy = PolicyResource.parse(resource);
    return policy.Properties.PolicyDocument.Statement.map((statement) => ({
      roles: policy.Properties.Roles ?? [],
      statement,
    }));
  });
}

/** The Allow statements attached to one role. */
export function statementsOf(stack: Stack, template: Template, role: IRole): Statement[] {
  const ref = JSON.stringify(stack.resolve(role.roleName));
  return allStatements(template)
    .filter(({ roles, statement }) => statement.Effect === 'Allow' && roles.some((r) => JSON.stringify(r) === ref))
    .map(({ statement }) => statement);
}

/** The actions a role is allowed, flattened. */
export function actionsOf(stack: Stack, template: Template, role: IRole): Set<string> {
  return new Set(statementsOf(stack, template, role).flatMap((statement) => statement.Action));
}
