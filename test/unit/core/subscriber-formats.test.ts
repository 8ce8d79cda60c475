/**
 * What the notification topic delivers (functions/core/subscriber-formats.ts):
 * the three formats, and SNS's per-protocol message that carries them.
 */
import { describe, expect, it } from 'vitest';
import { SUBSCRIBER_FORMATS, snsMessageOf } from '../../../functions/core/subscriber-formats';

describe('subscriber formats', () => {
  it('are the e-mail, the chat notification and the JSON', () => {
    expect(SUBSCRIBER_FORMATS).toEqual(['email', 'chat', 'json']);
  });

  it('go to SNS as one message per protocol: the text for e-mail, the chat notification for HTTPS, the JSON for every other', () => {
    const rendered = { subject: 'Redraw stuck', email: 'Plain text.', chat: { version: '1.0', content: { description: 'd' } }, json: { order_id: 'o-1' } };
    const message = JSON.parse(snsMessageOf(rendered)) as Record<string, string>;
    expect(Object.keys(message)).toEqual(['default', 'email', 'https']);
    expect(message['email']).toBe('Plain text.');
    expect(JSON.parse(message['https']!)).toEqual(rendered.chat);
    expect(JSON.parse(message['default']!)).toEqual(rendered.json);
    // The subject travels apart (SNS's Subject), not in the message.
    expect(snsMessageOf(rendered)).not.toContain('Redraw stuck');
  });
});
