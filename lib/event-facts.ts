/**
 * The tracker's events (CONTRACT §7): the bus the transaction-status function publishes each write's facts to, and
 * its name and ARN as outputs, for the rules an integrator adds on it (docs/events.md).
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { Grouping } from './grouping';

export class EventFacts extends Grouping {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // The bus is the stack's own child, not this group's: CDK generates its name from its construct path, and a
    // new name would replace the bus (and drop the rules an integrator put on it).
    this.bus = new EventBus(Stack.of(this), 'Events', {
      description: 'redraw-tracker facts (order.status_changed, redraw.*, transaction.*, follow_up.changed): ids, statuses and times, no PHI (docs/events.md)',
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: "Rules on this bus receive the tracker's events (source redraw-tracker; docs/events.md)" });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
  }
}
