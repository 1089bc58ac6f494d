import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeArchive } from '../../src-shared/node/package/archive.ts';
import { buildPackage, SourceError } from '../../src-shared/node/package/builder.ts';
import { decodeContainer, decodeHead, encodeContainer } from '../../src-shared/node/package/container.ts';
import { decryptContent, formatContentKey, generateContentKey, parseContentKey } from '../../src-shared/node/package/crypto.ts';
import { signBytes } from '../../src-shared/node/package/keys.ts';
import { cipherParamsOf, openPackage, verifyPackage } from '../../src-shared/node/package/reader.ts';
import { buildMiniPackage, makeKeys, miniExamSource, tempDir, writeSource } from '../support/fixtures.ts';
import { refusalErrorOf as refusalError, refusalOf as refusal } from '../support/refusal.ts';

const now = new Date('2026-11-23T09:00:00Z');

describe('exam packages', () => {
  const keys = makeKeys();
  const built = buildMiniPackage(keys);
  const verify = (file: Buffer, venue = 'RIX01', at = now, trust = keys.trust) => verifyPackage(file, { trust, venue, now: at });

  it('round-trips: a signed, encrypted package opens with its key and gives back content and media', () => {
    const container = verify(built.file);
    expect(container.manifest.examId).toBe('mini-a2');
    expect(container.manifest.cipher.chunkCount).toBeGreaterThan(1);
    const opened = openPackage(container.manifest, container.ciphertext, built.contentKey);
    expect(opened.content.parts).toHaveLength(4);
    expect([...opened.mediaPaths]).toEqual(['media/l1.opus']);
    expect(opened.readMedia('media/l1.opus')?.length).toBe(3000);
  });

  it('carries no answer keys: they are in the separate answer key for the central API', () => {
    const container = verify(built.file);
    const opened = openPackage(container.manifest, container.ciphertext, built.contentKey);
    const json = JSON.stringify(opened.content);
    expect(json).not.toMatch(/"answer"|"rubric"|trīssimt piecdesmit|Saturs, gramatika/);
    expect(built.answerKey.packageId).toBe(container.manifest.packageId);
    expect(built.answerKey.items['r1-q1']).toEqual({ type: 'gap-fill', gaps: { g1: ['liepaja'], g2: ['350', 'trīssimt piecdesmit'] } });
    expect(built.answerKey.items['w1-q1']).toEqual({ type: 'extended-writing', rubric: 'Saturs, gramatika, vārdu krājums.' });
    expect(Object.keys(built.answerKey.items)).toHaveLength(9);
  });

  it('keeps content unreadable without the key: the plaintext does not appear in the file', () => {
    expect(built.file.includes(Buffer.from('Izīrē divistabu'))).toBe(false);
  });

  it('refuses a manifest that is not JSON, and a file that is not a package', () => {
    const { manifestBytes, signature, ciphertext } = decodeContainer(built.file);
    const broken = Buffer.from(manifestBytes);
    broken[0] = 0x5b; // '['
    expect(refusal(() => verify(encodeContainer(Buffer.from('{"packageFormat":1,'), signature, ciphertext)))).toBe('PACKAGE_MALFORMED');
    expect(refusal(() => verify(Buffer.from('PK\u0003\u0004 not a package at all')))).toBe('PACKAGE_MALFORMED');
    expect(refusal(() => verify(Buffer.alloc(0)))).toBe('PACKAGE_MALFORMED');
    expect(refusal(() => verify(encodeContainer(Buffer.from('{"packageFormat":1}'), signature, ciphertext)))).toBe('PACKAGE_MALFORMED');
  });

  it('refuses a package whose manifest was changed after signing', () => {
    const { manifest, signature, ciphertext } = decodeContainer(built.file);
    const forged = Buffer.from(JSON.stringify({ ...manifest, venue: 'any', validUntil: '2200-01-01T00:00:00.000Z' }));
    expect(refusal(() => verify(encodeContainer(forged, signature, ciphertext)))).toBe('PACKAGE_SIGNATURE_INVALID');
    const flipped = Buffer.from(signature);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(refusal(() => verify(encodeContainer(decodeContainer(built.file).manifestBytes, flipped, ciphertext)))).toBe('PACKAGE_SIGNATURE_INVALID');
  });

  it('refuses a package signed by a key the station does not trust, or trusts no longer', () => {
    const stranger = makeKeys('test-key');
    expect(refusal(() => verify(buildMiniPackage(stranger).file))).toBe('PACKAGE_SIGNATURE_INVALID');
    expect(refusal(() => verify(buildMiniPackage(makeKeys('other-key')).file))).toBe('PACKAGE_SIGNER_UNKNOWN');
    const revoked = { formatVersion: 1 as const, keys: keys.trust.keys.map((k) => ({ ...k, status: 'revoked' as const })) };
    expect(refusal(() => verify(built.file, 'RIX01', now, revoked))).toBe('PACKAGE_SIGNER_UNKNOWN');
    const retiredBefore = { formatVersion: 1 as const, keys: keys.trust.keys.map((k) => ({ ...k, status: 'retired' as const, retiredAt: '2001-01-01T00:00:00.000Z' })) };
    expect(refusal(() => verify(built.file, 'RIX01', now, retiredBefore))).toBe('PACKAGE_SIGNER_UNKNOWN');
    const retiredAfter = { formatVersion: 1 as const, keys: keys.trust.keys.map((k) => ({ ...k, status: 'retired' as const, retiredAt: '2199-01-01T00:00:00.000Z' })) };
    expect(verify(built.file, 'RIX01', now, retiredAfter).manifest.packageId).toBe(built.manifest.packageId);
  });

  it('refuses a truncated or altered ciphertext before storing it', () => {
    expect(refusal(() => verify(built.file.subarray(0, built.file.length - 100)))).toBe('PACKAGE_CONTENT_ALTERED');
    const altered = Buffer.from(built.file);
    altered[altered.length - 50] = (altered[altered.length - 50] ?? 0) ^ 0xff;
    expect(refusal(() => verify(altered))).toBe('PACKAGE_CONTENT_ALTERED');
  });

  it('detects a reordered or altered chunk at decryption even if the hashes were bypassed', () => {
    const { manifest, ciphertext } = decodeContainer(built.file);
    const params = cipherParamsOf(manifest);
    const frame = manifest.cipher.chunkSize + 16;
    const swapped = Buffer.concat([ciphertext.subarray(frame, 2 * frame), ciphertext.subarray(0, frame), ciphertext.subarray(2 * frame)]);
    expect(refusal(() => decryptContent(swapped, parseContentKey(built.contentKey), params))).toBe('PACKAGE_CONTENT_ALTERED');
    expect(refusal(() => decryptContent(ciphertext.subarray(0, ciphertext.length - 1), parseContentKey(built.contentKey), params))).toBe('PACKAGE_CONTENT_ALTERED');
  });

  it('tells a wrong key from a mistyped key', () => {
    const { manifest, ciphertext } = verify(built.file);
    expect(refusal(() => openPackage(manifest, ciphertext, formatContentKey(generateContentKey())))).toBe('KEY_WRONG');
    const typo = built.contentKey.replace(/^(.)/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(refusal(() => openPackage(manifest, ciphertext, typo))).toBe('KEY_MALFORMED');
    expect(refusal(() => openPackage(manifest, ciphertext, 'hello'))).toBe('KEY_MALFORMED');
  });

  it('accepts a key typed in lower case, without dashes, with O for 0', () => {
    const key = generateContentKey();
    const typed = formatContentKey(key).toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    expect(parseContentKey(typed).equals(key)).toBe(true);
  });

  it('catches every single mistyped character of a key, and every swap of two neighbours, before any decryption', () => {
    const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let round = 0; round < 8; round += 1) {
      const key = generateContentKey();
      const typed = formatContentKey(key).replace(/-/g, '');
      expect(parseContentKey(typed).equals(key)).toBe(true);
      for (let at = 0; at < typed.length; at += 1) {
        for (const c of ALPHABET) {
          if (c === typed[at]) continue;
          expect(refusal(() => parseContentKey(typed.slice(0, at) + c + typed.slice(at + 1))), `${typed[at]}→${c} at ${at}`).toBe('KEY_MALFORMED');
        }
        if (at + 1 < typed.length && typed[at] !== typed[at + 1]) {
          expect(refusal(() => parseContentKey(typed.slice(0, at) + typed[at + 1] + typed[at] + typed.slice(at + 2))), `swap at ${at}`).toBe('KEY_MALFORMED');
        }
      }
    }
  });

  it('refuses a package for another venue and outside its validity window', () => {
    const forVenue = buildMiniPackage(keys, { venue: 'DGP02', validFrom: new Date('2026-11-20T00:00:00Z'), validUntil: new Date('2026-11-24T00:00:00Z') });
    expect(refusal(() => verify(forVenue.file, 'RIX01'))).toBe('PACKAGE_WRONG_VENUE');
    expect(verify(forVenue.file, 'DGP02').manifest.venue).toBe('DGP02');
    expect(refusal(() => verify(forVenue.file, 'DGP02', new Date('2026-11-19T23:59:59Z')))).toBe('PACKAGE_NOT_YET_VALID');
    expect(refusal(() => verify(forVenue.file, 'DGP02', new Date('2026-11-24T00:00:01Z')))).toBe('PACKAGE_EXPIRED');
  });

  it('refuses a package made for a newer package format with a clear message, but only when its signed manifest says so', () => {
    const { manifest, ciphertext } = decodeContainer(built.file);
    const newer = Buffer.from(JSON.stringify({ ...manifest, packageFormat: 2 }));
    const signedNewer = encodeContainer(newer, signBytes(keys.signingKey, newer), ciphertext);
    expect(refusal(() => verify(signedNewer))).toBe('PACKAGE_FORMAT_TOO_NEW');
    signedNewer.write('2', 7, 'latin1');
    expect(refusal(() => verify(signedNewer))).toBe('PACKAGE_FORMAT_TOO_NEW');
  });

  it('says a file with a damaged format byte is damaged, never that it needs a newer app', () => {
    // One byte of the layout digit: the signed manifest still says format 1.
    for (const digit of ['2', '9', '0', 'x', '\u00ff']) {
      const damaged = Buffer.from(built.file);
      damaged.write(digit, 7, 'latin1');
      const error = refusalError(() => verify(damaged));
      expect(error.code, `layout byte ${JSON.stringify(digit)}`).toBe('PACKAGE_MALFORMED');
      expect(error.detail).not.toMatch(/NaN/);
    }
    // One byte of the format inside the manifest: the signature no longer covers it.
    const manifestAt = built.file.indexOf('"packageFormat":1');
    const tampered = Buffer.from(built.file);
    tampered.write('"packageFormat":2', manifestAt, 'latin1');
    expect(refusal(() => verify(tampered))).toBe('PACKAGE_SIGNATURE_INVALID');
    // Every single-byte change of the head is refused as damage, a bad signature or an unknown signer.
    const { ciphertextOffset } = decodeHead(built.file, built.file.length);
    for (let at = 0; at < ciphertextOffset; at += 7) {
      const flipped = Buffer.from(built.file);
      flipped[at] = flipped[at]! ^ 0x04;
      expect(['PACKAGE_MALFORMED', 'PACKAGE_SIGNATURE_INVALID', 'PACKAGE_SIGNER_UNKNOWN'], `byte ${at}`).toContain(refusal(() => verify(flipped)));
    }
  });

  it('refuses a source whose answers are missing or of the wrong shape', () => {
    const source = miniExamSource() as { parts: { tasks: { items: Record<string, unknown>[] }[] }[] };
    delete source.parts[0]!.tasks[0]!.items[0]!.answer;
    const dir = writeSource(tempDir(), source);
    expect(() => buildPackage({ sourceDir: dir, signingKey: keys.signingKey, validFrom: now, validUntil: new Date('2100-01-01') })).toThrow(SourceError);
    const missingMedia = writeSource(tempDir(), miniExamSource(), {});
    expect(() => buildPackage({ sourceDir: missingMedia, signingKey: keys.signingKey, validFrom: now, validUntil: new Date('2100-01-01') })).toThrow(/media\/l1.opus/);
  });

  it('refuses answers that name options, gaps or elements the item does not have', () => {
    const build = (change: (items: Record<string, unknown>[][]) => void) => {
      const source = miniExamSource() as { parts: { tasks: { items: Record<string, unknown>[] }[] }[] };
      change(source.parts.map((p) => p.tasks[0]!.items));
      return () => buildPackage({ sourceDir: writeSource(tempDir(), source), signingKey: keys.signingKey, validFrom: now, validUntil: new Date('2100-01-01') });
    };
    expect(build((items) => (items[0]![0]!.answer = 'z'))).toThrow(/option z/);
    expect(build((items) => (items[1]![0]!.answer = { g1: ['Liepājā'], g2: ['350'] }))).toThrow(/dropdown gap g1/);
    expect(build((items) => (items[1]![1]!.answer = { l1: 'x', l9: 'y' }))).toThrow(/left entry l9/);
    expect(build((items) => (items[1]![2]!.answer = ['e1', 'e2']))).toThrow(/every element once/);
    expect(build((items) => (items[2]![0]!.answer = 'anything'))).toThrow(/rubric, not an answer/);
    expect(build((items) => (items[0]![0]!.rubric = 'x'))).toThrow(/rubric belongs/);
    expect(build((items) => (items[0]![0]!.options = [{ id: 'a', text: 'A' }, { id: 'a', text: 'B' }]))).toThrow(/repeated/);
  });

  it('passes per-option scoring of a multiple-choice item through to the answer key', () => {
    const source = miniExamSource() as { parts: { tasks: { items: Record<string, unknown>[] }[] }[] };
    source.parts[0]!.tasks[0]!.items[2]!.scoring = 'per-option';
    const pkg = buildPackage({ sourceDir: writeSource(tempDir(), source), signingKey: keys.signingKey, validFrom: now, validUntil: new Date('2100-01-01') });
    expect(pkg.answerKey.items['l1-q3']).toEqual({ type: 'multiple-choice', optionIds: ['a', 'b'], scoring: 'per-option' });
  });

  it('keeps the archive strict: trailing bytes and duplicates are refused', () => {
    const { manifest, ciphertext } = verify(built.file);
    const plain = decryptContent(ciphertext, parseContentKey(built.contentKey), cipherParamsOf(manifest));
    expect(decodeArchive(plain).size).toBe(2);
    expect(refusal(() => decodeArchive(Buffer.concat([plain, Buffer.from([0])])))).toBe('PACKAGE_MALFORMED');
  });
});

describe('the package tool (npm run pack / pack:inspect / pack:verify / keys)', () => {
  const cli = join(import.meta.dirname, '../../src-server/tools/package-cli.ts');
  const run = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('generates and rotates keys, packs a source folder, inspects and verifies it', () => {
    const dir = tempDir();
    const keysDir = join(dir, 'keys');
    run('keys', 'generate', '--dir', keysDir, '--id', 'centre-2026a');
    const source = writeSource(join(dir, 'source'));
    const out = join(dir, 'out', 'mini.exampkg');
    const packed = JSON.parse(run('pack', source, out, '--keys', keysDir, '--venue', 'RIX01')) as { packageId: string; central: string };
    expect(existsSync(out)).toBe(true);
    const answerKey = JSON.parse(readFileSync(join(packed.central, 'answer-key.json'), 'utf8')) as { packageId: string };
    expect(answerKey.packageId).toBe(packed.packageId);
    const contentKey = readFileSync(join(packed.central, 'content-key.txt'), 'utf8').trim();

    const inspected = JSON.parse(run('inspect', out)) as { manifest: { signingKeyId: string; venue: string } };
    expect(inspected.manifest).toMatchObject({ signingKeyId: 'centre-2026a', venue: 'RIX01' });
    const verified = JSON.parse(run('verify', out, '--trust', join(keysDir, 'trusted-keys.json'), '--key', contentKey)) as { ok: boolean; content: { parts: string[] } };
    expect(verified).toMatchObject({ ok: true, content: { parts: ['listening', 'reading', 'writing', 'speaking'] } });

    // Rotation: the new key signs, the old one still verifies what it signed before.
    run('keys', 'rotate', '--dir', keysDir, '--id', 'centre-2026b');
    const listed = JSON.parse(run('keys', 'list', '--dir', keysDir)) as { keyId: string; status: string }[];
    expect(listed.map((k) => [k.keyId, k.status])).toEqual([['centre-2026a', 'retired'], ['centre-2026b', 'active']]);
    expect(JSON.parse(run('verify', out, '--trust', join(keysDir, 'trusted-keys.json'))).ok).toBe(true);
    const out2 = join(dir, 'out', 'mini2.exampkg');
    expect(JSON.parse(run('pack', source, out2, '--keys', keysDir)).signedBy).toBe('centre-2026b');

    // Revocation: the revoked key's packages are refused, with the reason in both languages.
    run('keys', 'revoke', 'centre-2026a', '--dir', keysDir);
    const refused = spawnSync(process.execPath, [cli, 'verify', out, '--trust', join(keysDir, 'trusted-keys.json')], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/PACKAGE_SIGNER_UNKNOWN/);
    expect(refused.stderr).toMatch(/atsaukta/);
  });

  /** The tool run with `env` on top of this process's, and what it said. */
  const call = (args: string[], env: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('prints its usage for --help (exit 0) and with a wrong call (exit 2), saying what was wrong', () => {
    const help = call(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run <script> -- ARGUMENTS/);
    for (const line of ['npm run pack -- SOURCE_DIR OUT_FILE', 'npm run pack:inspect -- FILE', 'npm run pack:verify -- FILE [--trust FILE]', 'npm run keys -- generate|rotate']) expect(help.stdout).toContain(line);
    // The usage is the tool's own text, not lines of its source.
    expect(help.stdout).not.toMatch(/^import |^\/\//m);
    expect(call(['pack', '--help']).status).toBe(0);

    const wrong: [string[], RegExp][] = [
      [[], /no command given/],
      [['unpack'], /no command unpack/],
      [['pack', 'only-source'], /pack needs SOURCE_DIR and OUT_FILE/],
      [['inspect'], /pack:inspect needs the package FILE/],
      [['verify'], /pack:verify needs the package FILE/],
      [['verify', 'x.exampkg', '--trust'], /--trust <value>' argument missing/],
      [['verify', 'x.exampkg', '--turst', 'keys.json'], /Unknown option '--turst'/],
      [['keys'], /keys needs an action/],
      [['keys', 'revoke'], /keys revoke needs the ID/],
    ];
    for (const [args, said] of wrong) {
      const result = call(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(said);
      expect(result.stderr, args.join(' ')).toContain('Usage: npm run <script>');
      expect(result.stderr, args.join(' ')).not.toMatch(/^import /m);
    }
  });

  it('says what verify is missing without --trust and no trust list in the key folder, and how to give it', () => {
    const dir = tempDir();
    const keysDir = join(dir, 'keys');
    run('keys', 'generate', '--dir', keysDir);
    const out = join(dir, 'mini.exampkg');
    run('pack', writeSource(join(dir, 'source')), out, '--keys', keysDir);
    const empty = join(dir, 'no-keys-here');
    const missing = call(['verify', out], { EXAM_STATION_KEYS: empty });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`needs the trust list`);
    expect(missing.stderr).toContain(join(empty, 'trusted-keys.json'));
    expect(missing.stderr).toMatch(/--trust FILE/);
    expect(missing.stderr).not.toMatch(/ENOENT/);
    // The key folder's trust list is the default once it is there.
    expect(JSON.parse(call(['verify', out], { EXAM_STATION_KEYS: keysDir }).stdout)).toMatchObject({ ok: true });
  });

  it('says plainly why a given file cannot be read, or is not a trust list', () => {
    const dir = tempDir();
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{"formatVersion": 1, "keys": [');
    const notTrust = join(dir, 'other.json');
    writeFileSync(notTrust, '{"formatVersion": 1}');
    mkdirSync(join(dir, 'folder.exampkg'));
    const cases: [string[], string][] = [
      [['inspect', join(dir, 'nowhere.exampkg')], `cannot read the package ${join(dir, 'nowhere.exampkg')}: there is no such file`],
      [['inspect', join(dir, 'folder.exampkg')], `cannot read the package ${join(dir, 'folder.exampkg')}: it is a folder, not a file`],
      [['inspect', join(notJson, 'x.exampkg')], `cannot read the package ${join(notJson, 'x.exampkg')}: a part of the path is a file, not a folder`],
      [['verify', join(dir, 'nowhere.exampkg'), '--trust', join(dir, 'none.json')], `cannot read the trust list ${join(dir, 'none.json')}: there is no such file`],
      [['verify', join(dir, 'nowhere.exampkg'), '--trust', notJson], `the trust list ${notJson} is not JSON`],
      [['verify', join(dir, 'nowhere.exampkg'), '--trust', notTrust], `${notTrust} is not a trust list: keys:`],
    ];
    for (const [args, said] of cases) {
      const result = call(args);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(`error: ${said}`);
      // One clear line, no stack.
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('says plainly what is wrong with a bad source folder', () => {
    const dir = tempDir();
    const keysDir = join(dir, 'keys');
    run('keys', 'generate', '--dir', keysDir);
    const result = spawnSync(process.execPath, [cli, 'pack', join(dir, 'nowhere'), join(dir, 'x.exampkg'), '--keys', keysDir], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/content\.json does not exist/);
  });
});
