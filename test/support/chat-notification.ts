/**
 * Amazon Q Developer in chat applications' custom notification schema, as AWS's
 * guide "Custom notifications using Amazon Q Developer in chat applications"
 * gives it: version "1.0", source "custom", content.description required;
 * optional id, content.textType ("client-markdown"), title, nextSteps, keywords,
 * and metadata (threadId, summary, eventType, relatedResources,
 * additionalContext, enableCustomActions). Strict: a field the service does not
 * know fails here instead of being dropped there.
 * notifier-formats.test.ts checks the alerts with it, the digest's tests the digest.
 */
import * as z from 'zod';

export const CustomNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1).optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().min(1).max(250).optional(),
    description: z.string().min(1).max(8000),
    nextSteps: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().min(1).optional(),
      summary: z.string().min(1).optional(),
      eventType: z.string().min(1).optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});
