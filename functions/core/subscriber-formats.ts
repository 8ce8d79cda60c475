/**
 * What the notification topic delivers, whatever it carries (a stale-redraw
 * notice, the weekly digest): one rendering per kind of subscriber (the
 * plain-text e-mail, the chat notification Amazon Q Developer renders in
 * Slack, the JSON every other protocol gets) and SNS's per-protocol message
 * that carries them.
 */

/** The renderings `npm start`'s `?format=` and the CLI's `--format` offer: what an e-mail, a chat (HTTPS) or any other subscriber gets. */
export const SUBSCRIBER_FORMATS = ['email', 'chat', 'json'] as const;
export type SubscriberFormat = (typeof SUBSCRIBER_FORMATS)[number];

/** One message as each kind of subscriber gets it: `Chat` its chat notification, `Json` its document. */
export interface Rendered<Chat, Json> {
  /** The SNS Subject (e-mail subscribers see it as the e-mail's subject). */
  subject: string;
  /** Plain text, for e-mail subscribers. */
  email: string;
  /** The custom notification, for HTTPS subscribers (Amazon Q Developer in chat applications: Slack). */
  chat: Chat;
  /** The JSON every other protocol (SQS, Lambda, email-json) gets. */
  json: Json;
}

/**
 * SNS's per-protocol message (MessageStructure "json"): e-mail subscribers get
 * the plain text, HTTPS subscribers (Amazon Q Developer in chat applications)
 * the custom notification, every other protocol the JSON.
 */
export function snsMessageOf(rendered: Rendered<unknown, unknown>): string {
  return JSON.stringify({ default: JSON.stringify(rendered.json), email: rendered.email, https: JSON.stringify(rendered.chat) });
}
