/**
 * DynamoDB Local's fetch into its cache: AWS's DynamoDB Local, shipped inside
 * the npm package `amplify-dynamodb-simulator`, fetched once with `npm pack`
 * (its integrity checked against a pinned one) into an ignored cache folder,
 * where every later start finds it. Nothing here talks to AWS: the only
 * network access is `npm pack` against the configured npm registry.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The npm package that ships DynamoDB Local (1.25.1) under `emulator/`. */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator';
/** Pinned version of {@link DYNAMODB_LOCAL_PACKAGE}. */
export const DYNAMODB_LOCAL_PACKAGE_VERSION = '2.9.30';
/** Pinned npm integrity (sha512, base64) of the {@link DYNAMODB_LOCAL_PACKAGE} tarball. */
export const DYNAMODB_LOCAL_PACKAGE_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

/** The emulator's jar, in the folder {@link ensureDynamoDbLocal} answers. */
export const JAR = 'DynamoDBLocal.jar';
/** The folder of the jars and native libraries DynamoDB Local's jar names. */
export const LIB_DIR = 'DynamoDBLocal_lib';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Directory holding the cached versions: `DYNAMODB_LOCAL_CACHE` if set,
 * otherwise `<repo root>/.cache/dynamodb-local`. The emulator itself lives in
 * the `<version>/` sub-folder.
 */
export function dynamoDbLocalCacheRoot(): string {
  const override = process.env.DYNAMODB_LOCAL_CACHE;
  return override ? resolve(override) : join(repoRoot, '.cache', 'dynamodb-local');
}

/**
 * Ensures DynamoDB Local is in the cache and returns the emulator directory
 * (the one holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`), i.e.
 * `<cache root>/2.9.30`.
 *
 * When absent, it runs `npm pack amplify-dynamodb-simulator@2.9.30` (npm checks
 * the registry's integrity), checks the tarball again against the pinned
 * {@link DYNAMODB_LOCAL_PACKAGE_INTEGRITY}, extracts only `package/emulator`
 * into a private temporary folder next to the cache and renames it into place.
 * The rename is atomic, so an interrupted or concurrent fetch never leaves a
 * half-filled folder; when two processes race, the loser discards its copy and
 * uses the winner's. Idempotent.
 *
 * @throws if npm, tar or the integrity check fails, or the cached folder lacks the jar.
 */
export async function ensureDynamoDbLocal(progress: (line: string) => void = () => undefined): Promise<string> {
  const cacheRoot = dynamoDbLocalCacheRoot();
  const target = join(cacheRoot, DYNAMODB_LOCAL_PACKAGE_VERSION);
  if (await exists(target)) return assertEmulatorDir(target);

  await mkdir(cacheRoot, { recursive: true });
  // Same file system as the target, so the final rename is atomic.
  const work = await mkdtemp(join(cacheRoot, `.fetch-${process.pid}-`));
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  try {
    const spec = `${DYNAMODB_LOCAL_PACKAGE}@${DYNAMODB_LOCAL_PACKAGE_VERSION}`;
    progress(`DynamoDB Local is not in ${cacheRoot} yet: fetching it once (npm package ${spec}, about 56 MB, from your npm registry)...`);
    // npm pack is silent while it downloads: say every few seconds that it is still at it.
    const ticker = setInterval(() => progress(`  still fetching DynamoDB Local (${seconds()} s)...`), 5_000);
    try {
      await execFileAsync('npm', ['pack', spec, '--pack-destination', work, '--silent'], {
        cwd: repoRoot,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      throw new Error(`npm pack ${spec} failed: ${describeExecError(error)}`, { cause: error });
    } finally {
      clearInterval(ticker);
    }
    progress(`  downloaded in ${seconds()} s; checking its integrity and unpacking the emulator...`);
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${spec} produced no tarball in ${work}`);
    const tarballPath = join(work, tarball);

    const integrity = await sha512Integrity(tarballPath);
    if (integrity !== DYNAMODB_LOCAL_PACKAGE_INTEGRITY) {
      throw new Error(
        `Integrity mismatch for ${spec}: expected ${DYNAMODB_LOCAL_PACKAGE_INTEGRITY}, got ${integrity}`,
      );
    }

    try {
      await execFileAsync('tar', ['-xzf', tarballPath, '-C', work, '--no-same-owner', 'package/emulator']);
    } catch (error) {
      throw new Error(`Extracting ${tarball} failed: ${describeExecError(error)}`, { cause: error });
    }
    const extracted = join(work, 'package', 'emulator');
    await assertEmulatorDir(extracted);
    progress(`  DynamoDB Local is ready in ${target} (${seconds()} s); later starts skip this step`);

    try {
      await rename(extracted, target);
    } catch (error) {
      // Another process won the race: its folder is complete (renames are atomic).
      if (!isErrnoCode(error, 'EEXIST', 'ENOTEMPTY') || !(await exists(target))) throw error;
    }
    return await assertEmulatorDir(target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function assertEmulatorDir(dir: string): Promise<string> {
  if (!(await exists(join(dir, JAR)))) {
    throw new Error(`${dir} exists but has no ${JAR}; delete that folder and retry`);
  }
  return dir;
}

async function sha512Integrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function isErrnoCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && codes.includes(String(error.code));
}

function describeExecError(error: unknown): string {
  if (error instanceof Error) {
    const stderr = 'stderr' in error ? String(error.stderr).trim() : '';
    return stderr ? `${error.message.split('\n')[0]}\n${stderr}` : error.message;
  }
  return String(error);
}
