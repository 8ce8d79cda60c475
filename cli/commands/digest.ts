/**
 * `digest`: sends the weekly digest of the local tracker now (POST
 * /local/digest, CONTRACT §11) and prints its e-mail. `--format F` (and
 * `--last`) sends nothing: it shows the last digest sent, as the e-mail, the
 * chat message or the JSON, from the notifications (GET /local/notifications). On AWS the digest goes out on its own
 * schedule (cdk.json digestDay, digestHour, digestTimeZone; docs/digest.md).
 */
import * as z from 'zod';
import { DIGEST_KIND } from '../../functions/core/digest';
import { SUBSCRIBER_FORMATS } from '../../functions/core/subscriber-formats';
import { stringOption, type CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { readAnswer } from '../views';

const EmailItem = z.object({ subject: z.string(), text: z.string() }).loose();
const ChatItem = z
  .object({
    content: z.object({ title: z.string(), description: z.string(), nextSteps: z.array(z.string()) }).loose(),
    metadata: z.object({ threadId: z.string() }).loose(),
  })
  .loose();
const DigestAnswer = z.object({ format: z.enum(SUBSCRIBER_FORMATS), item: z.unknown() }).loose();

/** What GET /local/notifications (no format) says of each item: digests carry `kind` (CONTRACT §11), alerts do not. */
const SentList = z.object({ items: z.array(z.object({ kind: z.string().optional() }).loose()) }).loose();
const FormattedList = z.object({ items: z.array(z.unknown()) }).loose();

const command: CommandModule = {
  help: `Usage: npx redraw-tracker digest [--format email|chat|json] [--last] [--json]

Without --format: sends the weekly digest of the local tracker now (POST
/local/digest) and prints its e-mail: last week's redraw report (Monday to
Sunday, in DIGEST_TIMEZONE, default UTC) beside the week before, what to do this
week, the follow-ups whose redraw failed, the stuck ones and those without an
owner (by id, with the order to paste into Junction), and the ten most overdue.
Each run without --format sends one more digest, as every subscriber would get it.

With --format: sends nothing; shows the last digest sent as a subscriber got it:
  email  the subject and the plain text an e-mail subscriber reads
  chat   the message Amazon Q Developer posts in Slack (title, text, next steps)
  json   the JSON every other protocol (SQS, Lambda, email-json) gets
Exit 1 when none was sent yet.

  --format F             email, chat or json: show the last digest in that form, send nothing
  --last                 send nothing: show the last digest sent (as the e-mail without --format)

It joins the local notifications (npx redraw-tracker notifications). --json prints
the tracker's answer as it is ({"format": ..., "item": ...}). Local only: on AWS the
digest goes out on its own schedule (cdk.json: weeklyDigest, digestDay, digestHour,
digestTimeZone; docs/digest.md).

Examples:
  npx redraw-tracker digest                      # sends one, prints its e-mail
  npx redraw-tracker digest --format json        # the same digest, as other subscribers got it
  npx redraw-tracker digest --format chat
  DIGEST_TIMEZONE=Europe/Berlin npm start   # then: npx redraw-tracker digest`,
  options: { format: { type: 'string' }, last: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ values, json, out, tracker }) {
    const asked = stringOption(values, 'format');
    const format = asked ?? 'email';
    if (!(SUBSCRIBER_FORMATS as readonly string[]).includes(format)) throw usageError(`digest: --format must be one of ${SUBSCRIBER_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    const client = await tracker();
    let answer: unknown;
    let what: string;
    // A format shows the digest already sent (issue 33: it sent a second one); only a bare `digest` sends.
    if (values.last === true || asked !== undefined) {
      // The last digest among the notifications, found by its `kind`, then the same item in the format asked for
      // (both lists are the notifications in the order sent; a later one only adds to the end).
      what = `GET /local/notifications?format=${format}`;
      const sent = readAnswer(SentList, await client.get('/local/notifications'), 'GET /local/notifications').items;
      const index = sent.findLastIndex((item) => item.kind === DIGEST_KIND);
      if (index === -1) throw new CliError(EXIT.failed, `digest: ${client.target.label} has sent no digest since it started: \`npx redraw-tracker digest\` sends one, then --format ${format} shows it`);
      const item = format === 'json' ? sent[index] : readAnswer(FormattedList, await client.get('/local/notifications', { format }), what).items[index];
      answer = { format, item };
    } else {
      what = `POST /local/digest?format=${format}`;
      answer = await client.post(`/local/digest?format=${format}`);
    }
    if (json) {
      out.json(answer);
      return EXIT.ok;
    }
    const { item } = readAnswer(DigestAnswer, answer, what);
    if (format === 'email') {
      const email = readAnswer(EmailItem, item, what);
      out.line(`Subject: ${email.subject}`);
      out.line();
      for (const line of email.text.split('\n')) out.line(line);
    } else if (format === 'chat') {
      const chat = readAnswer(ChatItem, item, what);
      out.line(chat.content.title);
      for (const line of chat.content.description.split('\n')) out.line(line);
      out.line('Next steps:');
      for (const step of chat.content.nextSteps) out.line(`  - ${step}`);
      out.line(`(thread ${chat.metadata.threadId})`);
    } else {
      out.line(JSON.stringify(item));
    }
    return EXIT.ok;
  },
};

export default command;
