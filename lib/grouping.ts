/**
 * Grouping constructs: a part of the stack (storage, ingest, the sweep, an alarm group...) as a construct of its
 * own, whose id is left out of the logical ids of the resources in it. CloudFormation knows a resource by its
 * logical id, and CDK makes that id from the construct path (Stack.allocateLogicalId, makeUniqueId): a resource
 * moved into a construct would get a new id, and a new id replaces the resource on the next deploy (the table, the
 * user pool, the keys, the queues, with every record in them). GroupedStack computes each id from the path with the
 * groupings taken out, by CDK's own function, so a resource keeps the id it had before it was grouped. Only the
 * `aws:cdk:path` metadata shows the group (test/infra/templates.test.ts compares the rest with the fixtures).
 *
 * What CDK names from a construct's whole path, outside logical ids, still sees the group: an event source
 * mapping's id (from the table's path), an EventBridge target's permission (from the function's path), a generated
 * physical name (the event bus's). Such a construct stays the stack's own child, created by its part with
 * `Stack.of(this)` as its scope: the table, the event bus, the sweep's function.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/** A construct that only groups: its id is no part of the logical ids of what it holds. */
export class Grouping extends Construct {}

/** The element as allocateLogicalId reads it (its scopes), with the groupings in its path left out. */
function withoutGroupings(element: CfnElement): CfnElement {
  const scopes: IConstruct[] = element.node.scopes.filter((scope) => !(scope instanceof Grouping));
  return Object.create(element, { node: { value: { scopes } } }) as CfnElement;
}

/** A stack whose logical ids leave out the ids of its Grouping constructs. */
export class GroupedStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    return super.allocateLogicalId(withoutGroupings(element));
  }
}
