// The archive inside a package's ciphertext: a flat list of named files (content.json and media).
// Layout: "EXARCH1\n", u32 count, then per entry u16 name length, name (UTF-8), u32 size, bytes.
import { PackageError } from '../../errors.ts';

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

export interface ArchiveEntry {
  offset: number;
  size: number;
}

/**
 * Where each file of an archive is, read through `read(offset, length)` over its `total` bytes, so a
 * large archive can be walked without holding it: only the small entry headers are read.
 */
export function indexArchive(read: (offset: number, length: number) => Buffer, total: number): Map<string, ArchiveEntry> {
  const fail = (why: string): never => {
    throw new PackageError('PACKAGE_MALFORMED', `archive: ${why}`);
  };
  if (total < 12 || !read(0, MAGIC.length).equals(MAGIC)) fail('bad header');
  const count = read(MAGIC.length, 4).readUInt32BE(0);
  const entries = new Map<string, ArchiveEntry>();
  let at = MAGIC.length + 4;
  for (let i = 0; i < count; i += 1) {
    if (at + 2 > total) fail('truncated');
    const nameLength = read(at, 2).readUInt16BE(0);
    at += 2;
    if (at + nameLength + 4 > total) fail('truncated');
    const name = read(at, nameLength).toString('utf8');
    at += nameLength;
    const size = read(at, 4).readUInt32BE(0);
    at += 4;
    if (at + size > total) fail('truncated');
    if (entries.has(name)) fail(`duplicate entry ${name}`);
    entries.set(name, { offset: at, size });
    at += size;
  }
  if (at !== total) fail('trailing bytes');
  return entries;
}

export function decodeArchive(archive: Buffer): Map<string, Buffer> {
  const index = indexArchive((offset, length) => archive.subarray(offset, offset + length), archive.length);
  return new Map([...index].map(([name, entry]) => [name, archive.subarray(entry.offset, entry.offset + entry.size)]));
}
