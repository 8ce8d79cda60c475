/**
 * The cap on a notifying source's Task notices a minute (core/fhir/notice-cap.ts, issue 82 "Floods"): the
 * source from what the route verified, the minute, and how many of a batch fit.
 */
import { describe, expect, it } from 'vitest';
import { readNoticeMessage } from '../../../../functions/core/fhir/notice';
import { NOTICE_CAP_PER_MINUTE, noticeMinute, noticeSource, noticesToTake, splitByCap } from '../../../../functions/core/fhir/notice-cap';

describe('the notices cap', () => {
  it('names the source by the proof and the route kind, nothing else', () => {
    expect(noticeSource('bearer', { kind: 'post' })).toBe('bearer:post');
    expect(noticeSource('signature', { kind: 'path', taskId: 't1', deleted: true })).toBe('signature:path');
    // A queue message's source is only such a pair: a body's made-up value is no notice.
    expect(readNoticeMessage(JSON.stringify({ kind: 'task', task_id: 't1', deleted: false, source: 'bearer:post' }))).not.toBeNull();
    expect(readNoticeMessage(JSON.stringify({ kind: 'task', task_id: 't1', deleted: false, source: 'Practitioner/1' }))).toBeNull();
  });

  it('counts by the UTC minute', () => {
    expect(noticeMinute(new Date('2026-04-06T10:15:59.999Z'))).toBe('2026-04-06T10:15');
    expect(noticeMinute(new Date('2026-04-06T10:16:00.000Z'))).toBe('2026-04-06T10:16');
  });

  it.each([
    [0, 10, 300, 10],
    [290, 10, 300, 10],
    [295, 10, 300, 5],
    [300, 10, 300, 0],
    [450, 10, 300, 0],
    [0, 400, 300, 300],
    [0, 0, 300, 0],
    [-3, 10, 5, 5],
    [Number.NaN, 10, 300, 0],
  ])('with %d counted, %d asked and a cap of %d, takes %d', (counted, asked, cap, taken) => {
    expect(noticesToTake(counted, asked, cap)).toBe(taken);
  });

  it('is 300 a minute unless told, and splits a batch in order: the first read, the rest the poll\'s', () => {
    expect(NOTICE_CAP_PER_MINUTE).toBe(300);
    expect(noticesToTake(299, 5)).toBe(1);
    expect(splitByCap(['a', 'b', 'c'], 2)).toEqual({ read: ['a', 'b'], left: ['c'] });
    expect(splitByCap(['a', 'b'], 0)).toEqual({ read: [], left: ['a', 'b'] });
    expect(splitByCap(['a'], 5)).toEqual({ read: ['a'], left: [] });
  });
});
