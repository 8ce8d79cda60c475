/**
 * FHIR Tasks in the team's EHR (CONTRACT §13), added to the stack in this one place, and only with the `fhir`
 * setting: the credential secrets it names, the writer (lib/fhir.ts) and, with a notify secret named, the FHIR
 * server's notifications and their routes on the HTTP API (lib/fhir-notifications.ts). The other parts read what
 * they need from the FhirTasks this returns (the sweep's catch-up, the query's `fhir`, the alarms).
 *
 * The writer and the notifications are the stack's own children (RedrawTracker/Fhir, RedrawTracker/FhirNotifications),
 * as they were before this file: CDK names the poll schedule's permission and the queue's mapping after their paths.
 */
import { CfnOutput, type Stack } from 'aws-cdk-lib';
import { FhirNotifications, importNotifySecret } from './fhir-notifications';
import { closeGroupOf, type FhirSecrets, FhirWriter, importFhirSecrets } from './fhir';
import type { Ingest } from './ingest';
import { ACT_ON_FOLLOW_UPS, thresholdEnvironment } from './queries';
import type { FhirSettings, Settings } from './settings';
import type { TableBinding } from './storage';

export interface FhirTasks {
  readonly settings: FhirSettings;
  readonly secrets: FhirSecrets;
  readonly writer: FhirWriter;
  /** Null without `fhir.notifySecretName` (issue 71). */
  readonly notifications: FhirNotifications | null;
}

/** Adds FHIR Tasks to `stack` when the `fhir` setting is given; null (and nothing built) without it. */
export function addFhirTasks(stack: Stack, props: { binding: TableBinding; settings: Settings; ingest: Ingest }): FhirTasks | null {
  const { binding, settings, ingest } = props;
  const fhir = settings.fhir;
  if (fhir === null) return null;
  const secrets = importFhirSecrets(stack, fhir);
  // It applies the EHR's work as a person's action (CONTRACT §13): the follow-up actions' access and thresholds.
  const writer = new FhirWriter(stack, 'Fhir', { ...binding, fhir, secrets, queueKey: binding.logKey, followUpActions: ACT_ON_FOLLOW_UPS, thresholds: thresholdEnvironment(settings), closeGroup: closeGroupOf(settings) });
  const notifySecret = importNotifySecret(stack, fhir);
  if (notifySecret === null) return { settings: fhir, secrets, writer, notifications: null };
  const notifications = new FhirNotifications(stack, 'FhirNotifications', { secret: notifySecret, writer: writer.function.fn, opsKey: binding.logKey, logRetention: binding.logRetention });
  // Their own throttling, on the same API; the stage waits for the routes it names.
  for (const route of notifications.addRoutes(ingest.api, ingest.cfnStage, fhir)) ingest.stage.node.addDependency(route);
  new CfnOutput(stack, 'FhirNotificationsUrl', {
    value: `${ingest.stage.url}fhir/notifications`,
    description: "The endpoint of the EHR's Subscription (channel.endpoint): POST, and HAPI's PUT/DELETE .../Task/{id} (docs/deploy.md)",
  });
  return { settings: fhir, secrets, writer, notifications };
}
