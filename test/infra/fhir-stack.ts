/**
 * The stacks the FHIR infrastructure tests read (CONTRACT §13; fhir-*.test.ts), shared by those files
 * (./stack.ts sharedStack), and what they read out of a template: each function's settings by service,
 * the FHIR_ variables, the resource types, and who may read a secret.
 */
import * as z from 'zod';
import type { TableBoundFunction } from '../../lib/table-bound-function';
import type { Statement } from './policies';
import { statementsOf } from './policies';
import { type BuiltStack, FHIR_SETTING_WITHOUT_NOTIFY, fhirOn, sharedStack } from './stack';

/**
 * FHIR on with every setting of issue 70 away from its default, the thresholds and a close group set, and no notify
 * secret (no notifications route, issue 71): built once, when first asked for.
 */
export const customStack = (): BuiltStack =>
  sharedStack({ ...fhirOn({ ...FHIR_SETTING_WITHOUT_NOTIFY, pollSeconds: 60, pollMax: 250, ehrActions: 'off' }), redrawStaleAfterDays: 9, redrawMissingAfterHours: 36, appointmentGraceHours: 12, consoleCloseGroup: 'leads' });

export const TemplateJson = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })),
});
const FunctionProperties = z.object({
  Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  Handler: z.string(),
});

/** Each function of a template by its service (POWERTOOLS_SERVICE_NAME; the deployment helper has none). */
export function functionsOf(built: BuiltStack): Map<string, z.output<typeof FunctionProperties>> {
  const result = new Map<string, z.output<typeof FunctionProperties>>();
  for (const [id, resource] of Object.entries(TemplateJson.parse(built.template.toJSON()).Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || id.startsWith('CustomCDKBucketDeployment')) continue;
    const fn = FunctionProperties.parse(resource.Properties);
    result.set(String(fn.Environment.Variables['POWERTOOLS_SERVICE_NAME']), fn);
  }
  return result;
}

/** The FHIR_ variables of one function, by service. */
export const fhirVariables = (built: BuiltStack, service: string) =>
  Object.fromEntries(Object.entries(functionsOf(built).get(service)?.Environment.Variables ?? {}).filter(([name]) => name.startsWith('FHIR_')));

/** How many resources of each type a template has (not the console's close group, which customStack() adds). */
export function typeCounts(built: BuiltStack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(TemplateJson.parse(built.template.toJSON()).Resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  delete counts['AWS::Cognito::UserPoolGroup'];
  return counts;
}

/** How many resources of each type `after` has more than `before` (fewer: negative), the types whose count changed only. */
export function typesAdded(before: BuiltStack, after: BuiltStack): Record<string, number> {
  const [from, to] = [typeCounts(before), typeCounts(after)];
  return Object.fromEntries(Object.keys({ ...from, ...to }).map((type) => [type, (to[type] ?? 0) - (from[type] ?? 0)]).filter(([, count]) => count !== 0));
}

/** Each resource of `before` (but the console's close group) as `after` has it: its type under the same logical id, as expect() pairs. */
export function typesById(before: BuiltStack, after: BuiltStack): { id: string; before: string; after: string | undefined }[] {
  const afterResources = TemplateJson.parse(after.template.toJSON()).Resources;
  return Object.entries(TemplateJson.parse(before.template.toJSON()).Resources)
    .filter(([, resource]) => resource.Type !== 'AWS::Cognito::UserPoolGroup')
    .map(([id, resource]) => ({ id, before: resource.Type, after: afterResources[id]?.Type }));
}

export const byAction = (statements: Statement[], action: string) => statements.filter((statement) => statement.Action.includes(action));

/** The FHIR writer of a stack built with the fhir setting. */
export function fhirWriter(built: BuiltStack): TableBoundFunction {
  if (built.stack.fhirWriter === null) throw new Error('no FHIR writer with the fhir setting');
  return built.stack.fhirWriter.function;
}

export const secretArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:123456789012:secret:${name}`]] });
export const secretGrant = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:123456789012:secret:${name}-??????`]] });

/** The construct paths of the stack's functions whose role's statements name `text` (a secret's name), sorted. */
export function readersOf(built: BuiltStack, text: string): string[] {
  return [...built.stack.node.findAll()]
    .filter((construct) => 'role' in construct && 'fn' in construct)
    .map((construct) => construct as TableBoundFunction)
    .filter((bound) => JSON.stringify(statementsOf(built.stack, built.template, bound.role)).includes(text))
    .map((bound) => bound.node.path)
    .sort();
}
