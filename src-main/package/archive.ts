// The archive inside a package's ciphertext: a flat list of named files (content.json and media).
// Layout: "EXARCH1\n", u32 count, then per entry u16 name length, name (UTF-8), u32 size, bytes.
import { StationError } from '../../src-shared/errors.ts';

const MAGIC = Buffer.from('EXARCH1\n', 'ascii');

export function encodeArchive(entries: Map<string, Uint8Array>): Buffer {
  const parts: Buffer[] = [MAGIC];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.size);
  parts.push(count);
  for (const [name, data] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(6);
    head.writeUInt16BE(nameBytes.length, 0);
    head.writeUInt32BE(data.byteLength, 2);
    parts.push(head.subarray(0, 2), nameBytes, head.subarray(2), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return Buffer.concat(parts);
}

export function decodeArchive(archive: Buffer): Map<string, Buffer> {
  const fail = (why: string): never => {
    throw new StationError('PACKAGE_MALFORMED', `archive: ${why}`);
  };
  if (archive.length < 12 || !archive.subarray(0, MAGIC.length).equals(MAGIC)) fail('bad header');
  const count = archive.readUInt32BE(MAGIC.length);
  const entries = new Map<string, Buffer>();
  let at = MAGIC.length + 4;
  for (let i = 0; i < count; i += 1) {
    if (at + 2 > archive.length) fail('truncated');
    const nameLength = archive.readUInt16BE(at);
    at += 2;
    if (at + nameLength + 4 > archive.length) fail('truncated');
    const name = archive.subarray(at, at + nameLength).toString('utf8');
    at += nameLength;
    const size = archive.readUInt32BE(at);
    at += 4;
    if (at + size > archive.length) fail('truncated');
    if (entries.has(name)) fail(`duplicate entry ${name}`);
    entries.set(name, archive.subarray(at, at + size));
    at += size;
  }
  if (at !== archive.length) fail('trailing bytes');
  return entries;
}
