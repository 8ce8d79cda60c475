/**
 * The writer's queue message (core/fhir/notice.ts): a notice is data, read
 * strictly; a Task notice's `deleted` mark is optional, since nothing reads it
 * (the order-safe write's read of the Task decides whether it is gone).
 */
import { describe, expect, it } from 'vitest';
import { noticeMessage, readNoticeMessage } from '../../../../functions/core/fhir/notice';

describe('the queue message of a notice', () => {
  it('reads a Task notice with or without its deleted mark, and nothing else beside its fields', () => {
    for (const notice of [{ kind: 'task', task_id: 't1', deleted: true }, { kind: 'task', task_id: 't1', deleted: false, source: 'bearer:path' }, { kind: 'task', task_id: 't1' }, { kind: 'poll' }] as const) {
      expect(readNoticeMessage(noticeMessage(notice)), JSON.stringify(notice)).toEqual(notice);
    }
    for (const body of ['{"kind":"task","task_id":"t1","deleted":"yes"}', '{"kind":"task","task_id":"t1","delete":true}', '{"kind":"task"}', '{"kind":"poll","task_id":"t1"}', 'not json']) {
      expect(readNoticeMessage(body), body).toBeNull();
    }
  });
});
