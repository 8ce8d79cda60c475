/**
 * A jar with another manifest: every entry's bytes are kept where they are, a
 * new `META-INF/MANIFEST.MF` is appended (stored, not compressed), and a new
 * central directory names it in place of the old one (whose bytes stay,
 * unnamed). Readers of a zip go by its central directory, so the old manifest
 * is no longer read. For ./dynamodb-local-class-archive.ts; plain zips only
 * (no Zip64, no archive comment kept, no spanning), as DynamoDBLocal.jar is.
 */
import { crc32 } from 'node:zlib';

const MANIFEST = 'META-INF/MANIFEST.MF';
const END_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const END_SIZE = 22;
const CENTRAL_SIZE = 46;

/** `jar` with `manifest` as its manifest. @throws when `jar` is not a plain zip holding a manifest. */
export function withManifest(jar: Buffer, manifest: string): Buffer {
  const end = findEnd(jar);
  const entries = jar.readUInt16LE(end + 10);
  const directoryAt = jar.readUInt32LE(end + 16);
  if (entries === 0xffff || directoryAt === 0xffffffff) throw new Error('a Zip64 archive: not handled');
  const name = Buffer.from(MANIFEST, 'utf8');
  const data = Buffer.from(manifest, 'utf8');
  const checksum = crc32(data);
  const newLocalAt = directoryAt;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL_SIGNATURE, 0);
  local.writeUInt16LE(10, 4); // version needed
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);

  const directory: Buffer[] = [];
  let replaced = false;
  for (let at = directoryAt, index = 0; index < entries; index++) {
    if (jar.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`no central directory entry at ${at}`);
    const length = CENTRAL_SIZE + jar.readUInt16LE(at + 28) + jar.readUInt16LE(at + 30) + jar.readUInt16LE(at + 32);
    const entryName = jar.toString('utf8', at + CENTRAL_SIZE, at + CENTRAL_SIZE + jar.readUInt16LE(at + 28));
    if (entryName === MANIFEST) {
      directory.push(centralEntry(name, checksum, data.length, newLocalAt));
      replaced = true;
    } else {
      directory.push(jar.subarray(at, at + length));
    }
    at += length;
  }
  if (!replaced) throw new Error(`no ${MANIFEST} in the jar`);

  const newDirectory = Buffer.concat(directory);
  const newEnd = Buffer.alloc(END_SIZE);
  newEnd.writeUInt32LE(END_SIGNATURE, 0);
  newEnd.writeUInt16LE(entries, 8);
  newEnd.writeUInt16LE(entries, 10);
  newEnd.writeUInt32LE(newDirectory.length, 12);
  newEnd.writeUInt32LE(newLocalAt + local.length + name.length + data.length, 16);
  return Buffer.concat([jar.subarray(0, directoryAt), local, name, data, newDirectory, newEnd]);
}

function centralEntry(name: Buffer, checksum: number, size: number, localAt: number): Buffer {
  const entry = Buffer.alloc(CENTRAL_SIZE);
  entry.writeUInt32LE(CENTRAL_SIGNATURE, 0);
  entry.writeUInt16LE(20, 4); // version made by
  entry.writeUInt16LE(10, 6); // version needed
  entry.writeUInt32LE(checksum, 16);
  entry.writeUInt32LE(size, 20);
  entry.writeUInt32LE(size, 24);
  entry.writeUInt16LE(name.length, 28);
  entry.writeUInt32LE(localAt, 42);
  return Buffer.concat([entry, name]);
}

/** The end of central directory record: searched back from the end, past a comment of up to 64 KiB. */
function findEnd(jar: Buffer): number {
  for (let at = jar.length - END_SIZE; at >= Math.max(0, jar.length - END_SIZE - 0xffff); at--) {
    if (jar.readUInt32LE(at) === END_SIGNATURE) return at;
  }
  throw new Error('not a zip: no end of central directory');
}
