/**
 * The simulator's last word on the EHR (CONTRACT §13 "Work done in the EHR comes
 * back"): how to close a follow-up from the EHR, as a person there would. One line,
 * only when the tracker keeps the follow-ups' Tasks (GET /local/fhir answers 200):
 * - at the stand-in FHIR server (`npm run fhir-server`, which answers its control
 *   route `/_standin/tasks`): a curl of its EHR user's edit, `POST
 *   /local/ehr/Task/{id}` of the follow-up's Task, completing it as
 *   `Practitioner/123`;
 * - at any other FHIR server: complete the follow-up's Task there.
 * The tracker reads such a change back within FHIR_POLL_SECONDS (the value GET
 * /local/fhir gives, `poll_seconds`), at once with a Subscription, and applies it as
 * that person's close (its `disposition` `other`: the curl gives no statusReason).
 */
import * as z from 'zod';
import { trackerFhirBase } from './tracker';

const PollAnswer = z.object({ poll_seconds: z.number().int().positive().nullable().optional() });

const StandinTasks = z.object({ tasks: z.array(z.object({ id: z.string(), identifier: z.array(z.object({ value: z.string().optional() }).loose()).optional() }).loose()) });

/** Who closes it in the line: a reference as an EHR names its users. */
export const EHR_AUTHOR = 'Practitioner/123';

/** The id of `followUpId`'s Task on the stand-in at `origin`: undefined while it has none yet, null when `origin` is no stand-in. */
async function standinTaskId(origin: string, followUpId: string): Promise<string | null | undefined> {
  const response = await fetch(`${origin}/_standin/tasks`).catch(() => null);
  if (response === null || !response.ok) {
    await response?.body?.cancel();
    return null;
  }
  const parsed = StandinTasks.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return null;
  return parsed.data.tasks.find((task) => task.identifier?.some((identifier) => identifier.value === followUpId))?.id;
}

/** "within 300 s (FHIR_POLL_SECONDS), at once with a Subscription": the tracker's poll interval as GET /local/fhir gives it. */
async function howSoon(base: string): Promise<string> {
  const response = await fetch(`${base}/local/fhir`).catch(() => null);
  const parsed = PollAnswer.safeParse(response?.ok === true ? await response.json().catch(() => null) : null);
  if (response !== null && !response.ok) await response.body?.cancel();
  const seconds = parsed.success ? (parsed.data.poll_seconds ?? null) : null;
  return `within ${seconds === null ? '' : `${seconds} s (`}FHIR_POLL_SECONDS${seconds === null ? '' : ')'}, at once with a Subscription`;
}

/**
 * How to close follow-up `followUpId` from the EHR, one line (see the file's
 * header); null while FHIR is off. The writer runs behind the stream: waits at most
 * `timeoutMs` for the stand-in to have the follow-up's Task.
 */
export async function ehrCloseLine(base: string, followUpId: string | null, timeoutMs: number): Promise<string | null> {
  if (followUpId === null) return null;
  const fhirBase = await trackerFhirBase(base);
  if (fhirBase === null) return null;
  const origin = new URL(fhirBase).origin;
  const deadline = Date.now() + timeoutMs;
  let taskId = await standinTaskId(origin, followUpId);
  while (taskId === undefined && Date.now() < deadline) {
    await new Promise((wake) => setTimeout(wake, 250));
    taskId = await standinTaskId(origin, followUpId);
  }
  const check = `curl -s '${base}/follow-ups/${encodeURIComponent(followUpId)}'`;
  const soon = await howSoon(base);
  if (typeof taskId !== 'string') {
    return `Close follow-up ${followUpId} from the EHR: complete its Task at ${fhirBase} as a person there; the tracker reads it back ${soon}, as that person's close (${check})`;
  }
  return `Close follow-up ${followUpId} from the EHR, as ${EHR_AUTHOR} there: curl -s -X POST '${origin}/local/ehr/Task/${taskId}' -d '{"status":"completed","author":"${EHR_AUTHOR}"}'; the tracker reads it back ${soon}, as ehr:${EHR_AUTHOR}'s close (${check})`;
}
