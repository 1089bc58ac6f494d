// The USB transfer file on its own: what a hub writes the centre reads back exactly, with the audio
// streamed both ways (a 20 MB recording passes without the file or the audio ever being held whole),
// and a file that is damaged, cut short, reordered, signed by someone else or encrypted to another
// centre is refused before anything it holds can be used.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { TransferError } from '../../src-shared/errors.ts';
import { FRAME_HEAD_BYTES, TAG_BYTES } from '../../src-shared/node/transfer/format.ts';
import { openTransfer, type OpenTransferOptions } from '../../src-shared/node/transfer/reader.ts';
import { writeTransfer, type WriteTransferOptions } from '../../src-shared/node/transfer/writer.ts';

const folder = mkdtempSync(join(tmpdir(), 'estransfer-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const device = generateKeyPairSync('ed25519');
const central = generateKeyPairSync('x25519');
const centralKeyId = 'central-1';
const deviceId = randomUUID();
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** A deterministic stream of `size` bytes, produced in 64 KiB pieces (never held whole). */
function generated(size: number, seed: number): { stream: () => Readable; sha256: string } {
  const piece = (i: number): Buffer => {
    const b = Buffer.alloc(64 * 1024);
    for (let j = 0; j < b.length; j += 4) b.writeUInt32LE((i * 2654435761 + j * 40503 + seed) >>> 0, j);
    return b;
  };
  const hash = createHash('sha256');
  const count = Math.ceil(size / (64 * 1024));
  for (let i = 0; i < count; i += 1) hash.update(piece(i).subarray(0, Math.min(64 * 1024, size - i * 64 * 1024)));
  return {
    sha256: hash.digest('hex'),
    stream: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < count; i += 1) yield piece(i).subarray(0, Math.min(64 * 1024, size - i * 64 * 1024));
        })(),
      ),
  };
}

const events = [1, 2, 3].map((seq) => ({ seq, origin: { deviceId, seq }, kind: 'attendance.marked', entityId: `C${seq}`, payload: { candidateId: `C${seq}` }, createdAt: '2026-12-02T10:00:00.000Z' }));
const small = randomBytes(3000);
const smallId = randomUUID();

function options(extra: Partial<WriteTransferOptions> = {}): WriteTransferOptions {
  return {
    folder,
    deviceId,
    venueCode: 'RIX01',
    signingKey: device.privateKey,
    central: { keyId: centralKeyId, publicKey: central.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
    sessions: ['S-1'],
    events,
    recordings: [{ recordingId: smallId, sha256: sha256(small), bytes: small.length, mimeType: 'audio/webm', open: () => Readable.from([small]) }],
    frameBytes: 4096,
    fileName: `t-${randomUUID()}.estransfer`,
    ...extra,
  };
}

const keys = (deviceKey: KeyObject = device.publicKey, centralKey: KeyObject = central.privateKey): OpenTransferOptions => ({
  centralPrivateKey: (keyId) => (keyId === centralKeyId ? centralKey : undefined),
  devicePublicKey: (header) => (header.deviceId === deviceId ? deviceKey : undefined),
  tempDir: folder,
});

async function refusal(file: string, with_: OpenTransferOptions = keys()): Promise<string> {
  try {
    const opened = await openTransfer(file, with_);
    await opened.dispose();
  } catch (error) {
    expect(error).toBeInstanceOf(TransferError);
    return (error as TransferError).code;
  }
  throw new Error('the transfer was accepted');
}

/** Where each frame starts (offset of its kind byte) in a written file. */
function frameOffsets(bytes: Buffer): number[] {
  let at = 8 + 4 + bytes.readUInt32BE(8);
  const offsets: number[] = [];
  while (at < bytes.length) {
    offsets.push(at);
    at += FRAME_HEAD_BYTES + bytes.readUInt32BE(at + 1) + TAG_BYTES;
  }
  return offsets;
}

describe('the USB transfer file', () => {
  it('streams a 20 MB recording through and back, the contents and audio exactly as written', async () => {
    const big = generated(20 * 1024 * 1024 + 123, 7);
    const bigId = randomUUID();
    const heapBefore = process.memoryUsage().heapUsed;
    const written = await writeTransfer(
      options({
        frameBytes: 1024 * 1024,
        recordings: [
          { recordingId: smallId, sha256: sha256(small), bytes: small.length, mimeType: 'audio/webm', open: () => Readable.from([small]) },
          { recordingId: bigId, sha256: big.sha256, bytes: 20 * 1024 * 1024 + 123, mimeType: 'audio/ogg', open: big.stream },
        ],
      }),
    );
    expect(written.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(written.sha256).toBe(sha256(readFileSync(written.file)));
    // Nothing but the finished file is left in the folder (no temp name).
    expect(readdirSync(folder).filter((f) => f.endsWith('.partial'))).toEqual([]);

    // The reader hands the audio over as a stream, chunk by chunk: no chunk bigger than a frame.
    let largestChunk = 0;
    const seen = new Map<string, string>();
    const opened = await openTransfer(written.file, {
      ...keys(),
      receiveAudio: async (recording, audio) => {
        const hash = createHash('sha256');
        for await (const chunk of audio) {
          largestChunk = Math.max(largestChunk, (chunk as Buffer).length);
          hash.update(chunk as Buffer);
        }
        seen.set(recording.recordingId, hash.digest('hex'));
      },
    });
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(15 * 1024 * 1024);
    expect(largestChunk).toBeLessThanOrEqual(1024 * 1024);
    expect(opened.contents.events).toEqual(events);
    expect(opened.contents.sessions).toEqual(['S-1']);
    expect(opened.contents.recordings.map((r) => r.recordingId)).toEqual([smallId, bigId]);
    expect(seen.get(bigId)).toBe(big.sha256);
    expect(seen.get(smallId)).toBe(sha256(small));
    expect(opened.fileSha256).toBe(written.sha256);
    expect(opened.header).toMatchObject({ deviceId, venueCode: 'RIX01', keyId: centralKeyId });
    rmSync(written.file);
  });

  it('gives the audio as temp files by default, removed by dispose', async () => {
    const written = await writeTransfer(options());
    const opened = await openTransfer(written.file, keys());
    const path = opened.audioFiles.get(smallId)!;
    expect(readFileSync(path)).toEqual(small);
    await opened.dispose();
    expect(() => readFileSync(path)).toThrow();
  });

  it('refuses a byte flipped anywhere in the file', async () => {
    const written = await writeTransfer(options());
    const original = readFileSync(written.file);
    const damaged = join(folder, 'damaged.estransfer');
    // Every byte of a small file: the header, frame heads, ciphertexts, tags, the final frame.
    for (let at = 0; at < original.length; at += 1) {
      const copy = Buffer.from(original);
      copy[at] = copy[at]! ^ 0x01;
      writeFileSync(damaged, copy);
      const code = await refusal(damaged);
      expect(['TRANSFER_TAMPERED', 'TRANSFER_FORMAT', 'TRANSFER_FOREIGN', 'TRANSFER_TRUNCATED', 'TRANSFER_FORMAT_TOO_NEW'], `byte ${at}`).toContain(code);
    }
    // A byte of the ciphertext proper says tampered.
    const copy = Buffer.from(original);
    const second = frameOffsets(original)[1]!;
    copy[second + FRAME_HEAD_BYTES + 10] = copy[second + FRAME_HEAD_BYTES + 10]! ^ 0x80;
    writeFileSync(damaged, copy);
    expect(await refusal(damaged)).toBe('TRANSFER_TAMPERED');
    // No temp audio is left behind by the refusals.
    expect(readdirSync(folder).filter((f) => f.startsWith('estransfer-'))).toEqual([]);
  });

  it('refuses a file cut short, at a frame boundary or inside a frame', async () => {
    const written = await writeTransfer(options());
    const original = readFileSync(written.file);
    const offsets = frameOffsets(original);
    const cut = join(folder, 'cut.estransfer');
    for (const length of [offsets.at(-1)!, offsets[1]!, offsets[1]! + 7, original.length - 1, 20]) {
      writeFileSync(cut, original.subarray(0, length));
      expect(await refusal(cut), `cut at ${length}`).toBe('TRANSFER_TRUNCATED');
    }
    writeFileSync(cut, Buffer.concat([original, Buffer.from('x')]));
    expect(await refusal(cut)).toBe('TRANSFER_TAMPERED');
  });

  it('refuses frames reordered, dropped or taken from another export', async () => {
    const audio = randomBytes(12_000);
    const threeFrames = () => options({ recordings: [{ recordingId: smallId, sha256: sha256(audio), bytes: audio.length, mimeType: 'audio/webm', open: () => Readable.from([audio]) }] });
    const a = readFileSync((await writeTransfer(threeFrames())).file);
    const b = readFileSync((await writeTransfer(threeFrames())).file);
    const fa = frameOffsets(a);
    const fb = frameOffsets(b);
    const frame = (bytes: Buffer, offsets: number[], i: number) => bytes.subarray(offsets[i], offsets[i + 1] ?? bytes.length);
    const head = a.subarray(0, fa[0]);
    const file = join(folder, 'mixed.estransfer');
    const all = fa.map((_, i) => frame(a, fa, i));
    expect(all.length).toBeGreaterThan(3);
    const swapped = [...all];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    writeFileSync(file, Buffer.concat([head, ...swapped]));
    expect(await refusal(file)).toBe('TRANSFER_TAMPERED');
    writeFileSync(file, Buffer.concat([head, ...all.filter((_, i) => i !== 1)]));
    expect(await refusal(file)).toBe('TRANSFER_TAMPERED');
    const foreign = [...all];
    foreign[1] = frame(b, fb, 1);
    writeFileSync(file, Buffer.concat([head, ...foreign]));
    expect(await refusal(file)).toBe('TRANSFER_TAMPERED');
  });

  it('refuses a file of an unknown device, signed by another key, or encrypted to another centre', async () => {
    const written = await writeTransfer(options());
    expect(await refusal(written.file, { ...keys(), devicePublicKey: () => undefined })).toBe('TRANSFER_FOREIGN');
    expect(await refusal(written.file, keys(generateKeyPairSync('ed25519').publicKey))).toBe('TRANSFER_FOREIGN');
    expect(await refusal(written.file, keys(device.publicKey, generateKeyPairSync('x25519').privateKey))).toBe('TRANSFER_TAMPERED');
    expect(await refusal(written.file, { ...keys(), centralPrivateKey: () => undefined })).toBe('TRANSFER_FOREIGN');
  });

  it('does not write an export whose audio does not match what its recording says, and leaves nothing in the folder', async () => {
    const before = readdirSync(folder).length;
    const wrong = Buffer.from(small);
    wrong[5] = wrong[5]! ^ 1;
    await expect(writeTransfer(options({ recordings: [{ recordingId: smallId, sha256: sha256(small), bytes: small.length, mimeType: 'audio/webm', open: () => Readable.from([wrong]) }] }))).rejects.toMatchObject({
      code: 'TRANSFER_SOURCE_MISMATCH',
    });
    await expect(writeTransfer(options({ events: [events[0]!, events[2]!] }))).rejects.toMatchObject({ code: 'TRANSFER_FORMAT' });
    expect(readdirSync(folder).length).toBe(before);
  });
});
