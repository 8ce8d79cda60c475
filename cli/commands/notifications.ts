/**
 * `notifications`: the notifications the local tracker sent (stale-redraw alerts
 * and weekly digests), as each subscriber gets them (GET
 * /local/notifications?format=...): the e-mail (subject and plain text), the chat message (Slack, through Amazon Q Developer) or the
 * JSON every other protocol gets. On AWS they go to the stack's Notifications
 * topic (docs/deploy.md, "On call").
 */
import * as z from 'zod';
import type { SubscriberFormat } from '../../functions/core/subscriber-formats';
import { stringOption, type CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import type { Printer } from '../format';
import { readAnswer } from '../views';

const FORMATS = ['email', 'chat', 'json'] as const satisfies readonly SubscriberFormat[];

const EmailAnswer = z.object({ items: z.array(z.object({ subject: z.string(), text: z.string() }).loose()) }).loose();
const ChatAnswer = z
  .object({
    items: z.array(
      z
        .object({
          content: z.object({ title: z.string(), description: z.string(), nextSteps: z.array(z.string()) }).loose(),
          metadata: z.object({ threadId: z.string() }).loose(),
        })
        .loose(),
    ),
  })
  .loose();
// Stale-redraw notifications carry order_id; weekly digests (npx redraw-tracker digest) kind.
const JsonAnswer = z.object({ items: z.array(z.record(z.string(), z.unknown())) }).loose();

const RULE = '-'.repeat(72);

/** An e-mail as its subscriber reads it: the subject, then the text. */
function printEmail(out: Printer, email: { subject: string; text: string }): void {
  out.line(`Subject: ${email.subject}`);
  out.line();
  for (const line of email.text.split('\n')) out.line(line);
}

/** A chat message as Slack shows it, roughly: the title, the description, the next steps. */
function printChat(out: Printer, chat: z.infer<typeof ChatAnswer>['items'][number]): void {
  out.line(chat.content.title);
  for (const line of chat.content.description.split('\n')) out.line(line);
  out.line('Next steps:');
  for (const step of chat.content.nextSteps) out.line(`  - ${step}`);
  out.line(`(thread ${chat.metadata.threadId})`);
}

const command: CommandModule = {
  help: `Usage: npx redraw-tracker notifications [--format email|chat|json] [--json]

Prints the notifications the local tracker sent, oldest first: the stale-redraw
alerts (one per stale flag) and the weekly digests (npx redraw-tracker digest), each
as its subscribers get it (GET /local/notifications?format=...):
  email  the subject and the plain text an e-mail subscriber reads (default)
  chat   the message Amazon Q Developer posts in Slack (title, text, next steps)
  json   the JSON every other protocol (SQS, Lambda, email-json) gets
--json prints the tracker's answer as it is. Local only: on AWS they go to the
stack's Notifications topic.

Examples:
  npx redraw-tracker notifications
  npx redraw-tracker notifications --format chat
  npx redraw-tracker notifications --format json`,
  options: { format: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ values, json, out, tracker }) {
    const format = stringOption(values, 'format') ?? 'email';
    if (!(FORMATS as readonly string[]).includes(format)) throw usageError(`notifications: --format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    const answer = await (await tracker()).get('/local/notifications', { format });
    const what = `GET /local/notifications?format=${format}`;
    if (json) {
      out.json(answer);
      return EXIT.ok;
    }
    const items: unknown[] = readAnswer(z.object({ items: z.array(z.unknown()) }).loose(), answer, what).items;
    if (items.length === 0) {
      out.line('No notifications yet: once a redraw is stale, run a sweep (npx redraw-tracker sweep) and try again (npm run simulate makes some).');
      return EXIT.ok;
    }
    // Notifications apart by a rule: e-mails and chat messages run over several lines.
    const separate = (index: number) => {
      if (index === 0) return;
      out.line();
      out.line(RULE);
      out.line();
    };
    if (format === 'email') {
      for (const [index, email] of readAnswer(EmailAnswer, answer, what).items.entries()) {
        separate(index);
        printEmail(out, email);
      }
    } else if (format === 'chat') {
      for (const [index, chat] of readAnswer(ChatAnswer, answer, what).items.entries()) {
        separate(index);
        printChat(out, chat);
      }
    } else {
      for (const item of readAnswer(JsonAnswer, answer, what).items) out.line(JSON.stringify(item));
    }
    return EXIT.ok;
  },
};

export default command;
