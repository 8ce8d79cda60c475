/**
 * `digest`: sends the weekly digest of the local tracker now (POST
 * /local/digest, CONTRACT §11) and prints it as a subscriber gets it: the
 * e-mail, the chat message, or the JSON. On AWS the digest goes out on its own
 * schedule (cdk.json digestDay, digestHour, digestTimeZone; docs/digest.md).
 */
import * as z from 'zod';
import { DIGEST_FORMATS } from '../../functions/core/digest';
import { EXIT, stringOption, usageError, type CommandModule } from '../command';
import { readAnswer } from '../views';

const EmailItem = z.object({ subject: z.string(), text: z.string() }).loose();
const ChatItem = z
  .object({
    content: z.object({ title: z.string(), description: z.string(), nextSteps: z.array(z.string()) }).loose(),
    metadata: z.object({ threadId: z.string() }).loose(),
  })
  .loose();
const DigestAnswer = z.object({ format: z.enum(DIGEST_FORMATS), item: z.unknown() }).loose();

const command: CommandModule = {
  help: `Usage: npx redraw-tracker digest [--format email|chat|json] [--json]

Sends the weekly digest of the local tracker now (POST /local/digest): last
week's redraw report (Monday to Sunday, in DIGEST_TIMEZONE, default UTC) and the
ten most overdue follow-ups with their owners, and prints it as a subscriber gets it:
  email  the subject and the plain text an e-mail subscriber reads (default)
  chat   the message Amazon Q Developer posts in Slack (title, text, next steps)
  json   the JSON every other protocol (SQS, Lambda, email-json) gets
It joins the local notifications (npx redraw-tracker notifications). --json prints
the tracker's answer as it is. Local only: on AWS the digest goes out on its own
schedule (cdk.json: weeklyDigest, digestDay, digestHour, digestTimeZone; docs/digest.md).

Examples:
  npx redraw-tracker digest
  npx redraw-tracker digest --format chat
  DIGEST_TIMEZONE=Europe/Berlin npm start   # then: npx redraw-tracker digest`,
  options: { format: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ values, json, out, tracker }) {
    const format = stringOption(values, 'format') ?? 'email';
    if (!(DIGEST_FORMATS as readonly string[]).includes(format)) throw usageError(`digest: --format must be one of ${DIGEST_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    const what = `POST /local/digest?format=${format}`;
    const answer = await (await tracker()).post(`/local/digest?format=${format}`);
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
