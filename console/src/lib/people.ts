/**
 * Who did something, as a person reads it (CONTRACT §13: "An EHR person shows by
 * the name the server gives ... beside the reference", issue 84). One reading for
 * the follow-up page's lead, Facts, history and notices, so that a user in the
 * EHR reads "Ann Lee (Practitioner/123) in the EHR" everywhere and `ehr:...` is
 * never all a person reads. The name is `actor_display` of a history entry or of
 * `fhir.ehr_change` (staff, from the EHR's Practitioner), read as optional: a
 * tracker before it, or a read that found no name, shows the reference alone.
 */

/** The actor of work done in the EHR: `ehr:` and who (their reference, e.g. Practitioner/123, or the FHIR server's host). */
export const EHR_ACTOR = 'ehr:';

/** Longer than any name a person reads on one line; the rest is cut (a server's field is bounded as every outside answer is). */
const MAX_DISPLAY = 120;

/** A name the server gave, as shown: a string with something in it, on one line, at most 120 characters; else null. */
export function displayOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.replace(/\s+/g, ' ').trim();
  return name === '' ? null : name.slice(0, MAX_DISPLAY);
}

/** Whether an actor is a user in the EHR (or the EHR's server). */
export function isEhrActor(actor: string): boolean {
  return actor.startsWith(EHR_ACTOR) && actor.length > EHR_ACTOR.length;
}

/** "Ann Lee (Practitioner/123)": a user in the EHR by name beside their reference; the reference alone without a name. */
export function ehrPersonWords(actor: string, display?: unknown): string {
  const reference = actor.startsWith(EHR_ACTOR) ? actor.slice(EHR_ACTOR.length) : actor;
  const name = displayOf(display);
  return name === null || name === reference ? reference : `${name} (${reference})`;
}

/**
 * Who an actor is, to follow "by": "Ann Lee (Practitioner/123) in the EHR",
 * "Practitioner/123 in the EHR", "the tracker", "a chat button (channel C1)",
 * else a person's handle as recorded (a console user as `user:<name>`, as the
 * page shows owners).
 */
export function personWords(actor: string, display?: unknown): string {
  if (actor === 'tracker') return 'the tracker';
  if (actor.startsWith('chat:')) return `a chat button (channel ${actor.slice('chat:'.length)})`;
  if (isEhrActor(actor)) return `${ehrPersonWords(actor, display)} in the EHR`;
  return actor;
}

/** Who made a history entry (its actor and the name kept beside it), as personWords says it. */
export function entryPersonWords(entry: { actor: string; actor_display?: unknown }): string {
  return personWords(entry.actor, entry.actor_display);
}

/**
 * An entry (or `fhir.ehr_change`) whose EHR user is named in its actor
 * ("ehr:Ann Lee (Practitioner/123)"), for the shared sentences of
 * core/fhir/ehr-words.ts, which say the actor without `ehr:` ("Closed in the EHR
 * by Ann Lee (Practitioner/123)"). An owner that is the user's own reference is
 * named the same way, so that it still reads as taken. The name moves into the
 * actor: the copy carries no `actor_display`, so it is never said twice.
 */
export function withEhrName<T extends { actor: string; actor_display?: unknown }>(item: T): T {
  const name = displayOf(item.actor_display);
  if (!isEhrActor(item.actor) || name === null) return item;
  const named = ehrPersonWords(item.actor, name);
  const reference = item.actor.slice(EHR_ACTOR.length);
  const owner = (item as { owner?: unknown }).owner;
  return { ...item, actor: `${EHR_ACTOR}${named}`, actor_display: undefined, ...(owner === reference ? { owner: named } : {}) };
}

/** personWords to start a sentence or a cell: "The tracker", "A chat button (channel C1)"; a handle and an EHR user as they are. */
export function personAtStart(actor: string, display?: unknown): string {
  const words = personWords(actor, display);
  return actor === 'tracker' || actor.startsWith('chat:') ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : words;
}
