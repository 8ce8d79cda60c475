/**
 * DynamoDB Local JVMs a layer's files share, started by the layer's global
 * setup (./global-setup.ts for integration) and stopped after the run. Their CPU is no file's own: their process
 * ids go to the run's folder (./suite-cpu.ts), and the timing and the budget
 * count them in the layer's figure.
 */
import { assertLocalEndpoint, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { recordSharedJvms, RUN_DIR_VARIABLE } from './suite-cpu';

/** Starts `count` fresh JVMs for `layer`'s files: all of them, or none (a failed start stops the others and throws). */
export async function startSharedDynamoDbLocals(layer: string, count: number): Promise<DynamoDbLocal[]> {
  // A hang guard, not a measure: beside another run's JVM a start has taken over npm start's 30 s (issue 43).
  const started = await Promise.allSettled(Array.from({ length: count }, () => startDynamoDbLocal({ readyTimeoutMs: 120_000 })));
  const jvms = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(jvms.map((jvm) => jvm.stop()));
    throw failed.reason;
  }
  for (const jvm of jvms) assertLocalEndpoint(jvm.endpoint);
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir !== undefined) recordSharedJvms(runDir, layer, jvms.map((jvm) => jvm.pid));
  return jvms;
}
