// The protocol PDF of a sealed session (src-main/lan/room-protocol-pdf.ts), from the hub's station API:
// read back with poppler's pdftotext (Latvian names, attendance, the incident, the extra time with its
// reason, the seal's digest) and pdffonts (DejaVu embedded, no other font); PDF 1.7 with the PDF/A-2b
// identification and an output intent; only the chief invigilator gets it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, tempDir } from '../support/fixtures.ts';
import { save, until } from './room-fixtures.ts';
import { refusedAsync, sealRoom, seatIn, SESSION } from './seal-support.ts';

const DESK: Caller = { clientId: 'protocol-desk', surfaces: ['public', 'staff'], screen: false };

describe('the protocol PDF', () => {
  it('says in Latvian who sat where, who came, what happened, the extra time with its reason and the seal, in embedded DejaVu, as PDF/A-2b', async () => {
    const room = await sealRoom();
    const hub = room.station.service;
    // The hub's roster, with the Latvian letters the protocol must keep.
    hub.loadRoster({
      sessions: [DEMO_SESSION],
      candidates: [
        { ...DEMO_CANDIDATE, candidateId: 'C-0001', givenName: 'Ēriks', familyName: 'Ļaudaks' },
        { ...DEMO_CANDIDATE, candidateId: 'C-0002', givenName: 'Žanete', familyName: 'Šķēle', personalCode: '010101-10006', birthDate: '1901-01-01' },
      ],
    });
    const seat = await seatIn(room);
    await save(seat, '350 eiro');
    await hub.markAttendance({ staffToken: room.station.staffToken, candidateId: 'C-0001', status: 'present' });
    await hub.markAttendance({ staffToken: room.station.staffToken, candidateId: 'C-0002', status: 'absent' });
    await hub.recordIncident({ staffToken: room.station.staffToken, sessionId: SESSION, candidateId: 'C-0001', kind: 'technical-freezing', note: 'Dators sastinga uz divām minūtēm' });
    const extend = room.hub.issue({ target: { kind: 'candidate', candidateId: 'C-0001' }, type: 'extend', params: { amountMs: 300_000 }, reason: 'Atgūts sastingšanas laiks', issuedBy: 'test.chief' });
    await until('the extra time carried out', () => room.hub.commands.outcomes(extend.cmdId).length === 1);
    // End and seal through the hub's station API, as the console does.
    expect(await hub.endSession({ staffToken: room.station.staffToken, sessionId: SESSION, reason: 'Laiks beidzies' })).toMatchObject({ state: 'ended' });
    await until('the seat final', () => room.status().seats[0]?.final === true);
    expect(await hub.sealSession({ staffToken: room.station.staffToken, sessionId: SESSION })).toMatchObject({ state: 'sealing' });
    await until('sealed', () => room.status().state === 'sealed');
    expect(await hub.getSealStatus({ staffToken: room.station.staffToken, sessionId: SESSION })).toMatchObject({ state: 'sealed', sealedBy: 'test.chief', endedBy: 'test.chief' });

    // An invigilator may not take the protocol; the chief may.
    await hub.createStaffAccount({ staffToken: room.station.staffToken, username: 'ilze.kalnina', displayName: 'Ilze Kalniņa', roles: ['invigilator'], password: 'Sakuma-Parole-1' });
    const { staffToken: first } = await hub.staffSignIn({ username: 'ilze.kalnina', password: 'Sakuma-Parole-1' }, DESK);
    await hub.changeOwnPassword({ staffToken: first, currentPassword: 'Sakuma-Parole-1', newPassword: 'Manas-Parole-22' }, DESK);
    await refusedAsync('STAFF_ROLE_MISSING', hub.getRoomProtocol({ staffToken: first, sessionId: SESSION }, DESK));
    const file = await hub.getRoomProtocol({ staffToken: room.station.staffToken, sessionId: SESSION });
    expect(file).toMatchObject({ fileName: `protokols-${SESSION}.pdf`, mimeType: 'application/pdf' });

    const path = join(tempDir('protocol-'), file.fileName);
    writeFileSync(path, file.data);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
    // Table cells wrap: read them in the order they were drawn (-raw), as one line.
    const flat = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Pārbaudījuma telpas protokols');
    expect(text).toContain('Rīgas eksāmenu centrs');
    expect(text).toMatch(/Ēriks Ļaudaks\s+\S+\s+ieradās/);
    expect(text).toMatch(/Žanete Šķēle\s+\S+\s+neieradās/);
    expect(flat).toMatch(/Tehnika: dators sastinga Ēriks Ļaudaks Dators sastinga uz divām minūtēm test\.chief/);
    // The part by its title, the typed reason as typed, who gave it in Latvian.
    expect(flat).toContain('Ēriks Ļaudaks Lasīšana papildlaiks 5 min Atgūts sastingšanas laiks; rīkojumu deva test.chief');
    expect(flat).toMatch(/Sēdvietu plāns Vieta Kandidāts Kopš \S+ Ēriks Ļaudaks/);
    expect(text).toContain('Testa Vadītāja');
    const digest = room.status().digest!;
    expect(text.replace(/\s+/g, '')).toContain(digest);
    expect(text).toContain('Aizzīmogots:');

    const fonts = execFileSync('pdffonts', [path], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const line of fonts) {
      expect(line).toMatch(/DejaVuSans/);
      // name, type, encoding, emb, sub, uni, object ID: embedded and subset.
      expect(line).toMatch(/\byes\s+yes\s+yes\b/);
    }
    const raw = Buffer.from(file.data).toString('latin1');
    expect(raw.startsWith('%PDF-1.7')).toBe(true);
    expect(raw).toMatch(/<pdfaid:part>2<\/pdfaid:part>/);
    expect(raw).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(raw).toContain('/OutputIntents');
    expect(raw).toContain('/GTS_PDFA1');
  }, 30_000);
});
