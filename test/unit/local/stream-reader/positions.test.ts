/**
 * A stream reader's kept positions (local/stream-reader/positions.ts): read
 * back as written, bound to their stream, and nothing when the file is missing,
 * unreadable or of another stream (the reader then starts where it would have).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filePositions } from '../../../../local/stream-reader/positions';

const ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/redraw-tracker/stream/2026-11-28T14:17:38.658';
const dirs: string[] = [];
const fileIn = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-positions-'));
  dirs.push(dir);
  return join(dir, 'stream-position-transaction-status.json');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('kept stream positions', () => {
  it('reads back what was written last, whole, and leaves no temporary file beside it', () => {
    const file = fileIn();
    const positions = filePositions(file, ARN);
    expect(positions.read()).toEqual({});
    positions.write({ 'shardId-1': '000000000000000000005' });
    positions.write({ 'shardId-1': '000000000000000000009', 'shardId-2': '000000000000000000012' });
    expect(filePositions(file, ARN).read()).toEqual({ 'shardId-1': '000000000000000000009', 'shardId-2': '000000000000000000012' });
    expect(readdirSync(join(file, '..'))).toEqual(['stream-position-transaction-status.json']);
  });

  it("reads nothing from another stream's positions (a table made anew), a broken file, or sequence numbers that are not numbers", () => {
    const file = fileIn();
    filePositions(file, `${ARN}-older`).write({ 'shardId-1': '000000000000000000005' });
    expect(filePositions(file, ARN).read()).toEqual({});
    writeFileSync(file, '{"streamArn": "');
    expect(filePositions(file, ARN).read()).toEqual({});
    writeFileSync(file, JSON.stringify({ streamArn: ARN, shards: { 'shardId-1': 'TRIM_HORIZON' } }));
    expect(filePositions(file, ARN).read()).toEqual({});
  });
});
