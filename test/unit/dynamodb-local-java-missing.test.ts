import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

describe('startDynamoDbLocal without Java', () => {
  let emptyDir: string;
  let cacheDir: string;

  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'no-java-'));
    cacheDir = await mkdtemp(join(tmpdir(), 'ddb-cache-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('rejects with a clear message when java is not on PATH', async () => {
    vi.stubEnv('PATH', emptyDir);
    // An empty cache proves it fails before fetching or spawning anything.
    vi.stubEnv('DYNAMODB_LOCAL_CACHE', cacheDir);
    await expect(startDynamoDbLocal()).rejects.toThrow(/^Java is required to run DynamoDB Local, but "java" was not found on PATH/);
  });

  it('rejects with a clear message when the given Java launcher does not exist', async () => {
    vi.stubEnv('DYNAMODB_LOCAL_CACHE', cacheDir);
    await expect(startDynamoDbLocal({ javaCommand: join(emptyDir, 'bin', 'java') })).rejects.toThrow(
      /^Java is required to run DynamoDB Local/,
    );
  });
});
