// The protocol of a session as a PDF in Latvian (room-protocol-data.ts reads what it says). PDF/A-2b,
// so it can be archived as it is: PDF 1.7, every font embedded (DejaVu Sans, subset, from assets/fonts —
// no standard font is ever used, not even pdfkit's default), XMP metadata with the PDF/A identification
// and an sRGB output intent (pdfkit adds both for `subset: 'PDF/A-2b'`), no transparency, no encryption.
// The session's digest is drawn as a QR code of vector squares, so a reader can check the paper copy
// against the hub's signed seal.
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { IncidentKind } from '../../src-shared/contracts/events.ts';
import type { ProtocolAttendance, RoomProtocolData } from './room-protocol-data.ts';

/** The fonts in the source tree's assets, for stations opened without a configuration (tests, tools). */
export const SOURCE_FONTS = join(import.meta.dirname, '..', '..', 'assets', 'fonts');
const FONT = 'DejaVuSans.ttf';
const FONT_BOLD = 'DejaVuSans-Bold.ttf';

const ATTENDANCE_WORDS: Record<ProtocolAttendance, string> = {
  expected: 'nav atzīmēts',
  present: 'ieradās',
  late: 'ieradās ar nokavēšanos',
  absent: 'neieradās',
  removed: 'atstādināts',
};

const INCIDENT_WORDS: Record<IncidentKind, string> = {
  environment: 'Telpa vai ēka',
  'candidate-conduct': 'Kandidāta uzvedība',
  'candidate-identity': 'Kandidāta identitāte',
  'candidate-illness': 'Kandidāta veselība',
  'candidate-late': 'Kandidāts nokavēja',
  'candidate-no-show': 'Kandidāts neieradās',
  'candidate-removed': 'Kandidāts atstādināts',
  staff: 'Personāls',
  'technical-freezing': 'Tehnika: dators sastinga',
  'technical-network': 'Tehnika: tīkls',
  'technical-workstation': 'Tehnika: kandidāta dators',
  'technical-power': 'Tehnika: elektrība',
  other: 'Cits',
};

const ROLE_WORDS: Record<string, string> = {
  'chief-invigilator': 'galvenais pārbaudījuma vadītājs',
  invigilator: 'pārbaudījuma vadītājs',
  'centre-staff': 'eksāmenu centra darbinieks',
  it: 'IT speciālists',
};

const SEAL_STATE_WORDS: Record<string, string> = {
  pending: 'nav atbildējis',
  waiting: 'atbilde saņemta, dati vēl ceļā',
  matched: 'sakrīt',
  mismatch: 'NESAKRĪT',
  refused: 'atteica',
  accounted: 'atskaitīts',
};

/** A time as people in the room read it: Riga's wall clock. */
export function rigaTime(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('lv-LV', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** A duration as the protocol states it: whole minutes, or seconds under a minute (a credit of 28 s is not "0 min"). */
const minutes = (ms: number): string => (ms < 59_500 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** What the QR code carries: the session and its digest, with the hub that signed it. */
export const sealQrText = (sessionId: string, digest: string, hubDeviceId: string): string => `EXAM-STATION-SEAL:1:${sessionId}:${digest}:${hubDeviceId}`;

interface Column {
  title: string;
  width: number;
}

class Layout {
  private readonly doc: PDFKit.PDFDocument;
  private readonly left: number;
  private readonly width: number;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  private bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  private room(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }

  heading(text: string): void {
    this.room(40);
    this.doc.moveDown(0.8).font('bold').fontSize(12).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3).font('regular').fontSize(9);
  }

  line(text: string, options: { bold?: boolean } = {}): void {
    this.doc.font(options.bold ? 'bold' : 'regular').fontSize(9);
    this.room(this.doc.heightOfString(text, { width: this.width }) + 2);
    this.doc.text(text, this.left, this.doc.y, { width: this.width });
    this.doc.font('regular');
  }

  /** A table: `columns` widths are fractions of the page width; `rows` cells are plain text. */
  table(columns: Column[], rows: string[][], empty: string): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const widths = columns.map((c) => c.width * this.width);
    const row = (cells: string[], bold: boolean) => {
      this.doc.font(bold ? 'bold' : 'regular').fontSize(8.5);
      const height = Math.max(...cells.map((cell, i) => this.doc.heightOfString(cell, { width: widths[i]! - 4 }))) + 3;
      if (this.doc.y + height > this.bottom()) {
        this.doc.addPage();
        if (!bold) row(columns.map((c) => c.title), true);
      }
      const y = this.doc.y;
      let x = this.left;
      cells.forEach((cell, i) => {
        this.doc.text(cell, x, y, { width: widths[i]! - 4 });
        x += widths[i]!;
      });
      this.doc.y = y + height;
      this.doc.moveTo(this.left, this.doc.y - 1).lineTo(this.left + this.width, this.doc.y - 1).lineWidth(0.3).strokeColor('#999999').stroke();
    };
    row(columns.map((c) => c.title), true);
    for (const cells of rows) row(cells, false);
    this.doc.font('regular').fontSize(9);
  }

  /** The QR code as squares of the page's own colour: no image, nothing PDF/A would question. */
  qr(text: string, size: number): void {
    const code = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const count = code.modules.size;
    const quiet = 4;
    const cell = size / (count + 2 * quiet);
    this.room(size + 10);
    const top = this.doc.y;
    for (let r = 0; r < count; r += 1) {
      for (let c = 0; c < count; c += 1) if (code.modules.get(r, c)) this.doc.rect(this.left + (c + quiet) * cell, top + (r + quiet) * cell, cell, cell);
    }
    this.doc.fillColor('#000000').fill();
    this.doc.y = top + size + 4;
  }
}

/** `fontsDir`: the station's assets/fonts (its configuration's assets folder). */
export async function renderRoomProtocol(data: RoomProtocolData, fontsDir: string = SOURCE_FONTS): Promise<Uint8Array<ArrayBuffer>> {
  const title = `Pārbaudījuma protokols: ${data.session.sessionId}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    pdfVersion: '1.7',
    subset: 'PDF/A-2b',
    font: join(fontsDir, FONT),
    lang: 'lv-LV',
    displayTitle: true,
    info: { Title: title, Author: data.session.venueName, Subject: 'Pārbaudījuma telpas protokols', Creator: 'Exam Station', CreationDate: new Date(data.generatedAt) },
  });
  doc.registerFont('regular', join(fontsDir, FONT));
  doc.registerFont('bold', join(fontsDir, FONT_BOLD));
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const out = new Layout(doc);
  const { session, status } = data;

  doc.font('bold').fontSize(16).text('Pārbaudījuma telpas protokols');
  doc.font('regular').fontSize(9).moveDown(0.3);
  out.line(`Sesija: ${session.sessionId}${data.session.title ? ` — ${data.session.title}` : ''} (${session.examId})`);
  out.line(`Vieta: ${session.venueName} (${session.venueCode})${session.room ? `, telpa ${session.room}` : ''}`);
  out.line(`Paredzētais sākums: ${rigaTime(session.startsAt)}${session.endsAt ? `; beigas: ${rigaTime(session.endsAt)}` : ''}`);
  out.line(`Protokols sagatavots: ${rigaTime(data.generatedAt)}; telpas dators ${data.hubDeviceId}`);
  if (!data.seal) out.line('Sesija vēl nav aizzīmogota: šis ir starpprotokols, nevis galīgais.', { bold: true });

  out.heading('Personāls');
  out.table(
    [
      { title: 'Vārds, uzvārds', width: 0.4 },
      { title: 'Lietotājvārds', width: 0.25 },
      { title: 'Loma', width: 0.35 },
    ],
    data.staff.map((s) => [s.displayName, s.username, s.roles.map((r) => ROLE_WORDS[r] ?? r).join(', ')]),
    'Neviena darbība nav reģistrēta.',
  );

  out.heading('Apmeklējums');
  out.table(
    [
      { title: 'Kandidāts', width: 0.32 },
      { title: 'Personas kods', width: 0.18 },
      { title: 'Apmeklējums', width: 0.22 },
      { title: 'Pielāgojumi', width: 0.28 },
    ],
    data.attendance.map((a) => [a.name, a.maskedPersonalCode, ATTENDANCE_WORDS[a.status], a.accommodation ?? '—']),
    'Sarakstā nav kandidātu.',
  );
  const counts = (['present', 'late', 'absent', 'removed', 'expected'] as const).map((s) => `${ATTENDANCE_WORDS[s]}: ${data.attendance.filter((a) => a.status === s).length}`);
  out.line(counts.join('; '));

  out.heading('Sēdvietu plāns');
  out.table(
    [
      { title: 'Vieta', width: 0.2 },
      { title: 'Kandidāts', width: 0.45 },
      { title: 'Kopš', width: 0.35 },
    ],
    data.seatPlan.map((s) => [s.seat, s.name, rigaTime(s.since)]),
    'Neviens kandidāts nav sācis darbu.',
  );
  if (data.moves.length > 0) {
    out.line('Pārvietošana:', { bold: true });
    for (const move of data.moves) out.line(`${rigaTime(move.at)}: ${move.name} no vietas ${move.from} uz vietu ${move.to}`);
  }

  out.heading('Norise');
  out.table(
    [
      { title: 'Laiks', width: 0.2 },
      { title: 'Notikums', width: 0.45 },
      { title: 'Kas', width: 0.15 },
      { title: 'Iemesls', width: 0.2 },
    ],
    data.timeline.map((t) => [rigaTime(t.at), t.what, t.who ?? '—', t.reason ?? '—']),
    'Nekas nav noticis.',
  );

  out.heading('Papildlaiks');
  out.table(
    [
      { title: 'Laiks', width: 0.2 },
      { title: 'Kandidāts', width: 0.2 },
      { title: 'Daļa', width: 0.12 },
      { title: 'Veids', width: 0.15 },
      { title: 'Ilgums', width: 0.08 },
      { title: 'Pamatojums', width: 0.25 },
    ],
    data.extraTime.map((e) => [rigaTime(e.at), e.name, e.part, e.kind === 'extend' ? 'papildlaiks' : 'atgūtais laiks', minutes(e.amountMs), e.reason ?? '—']),
    'Papildlaiks nav piešķirts.',
  );
  // What an old seat sent after its candidate was moved away: evidence, not the candidate's time.
  for (const late of data.lateAfterMove) {
    const credited = late.creditedMs > 0 ? `; tajos atgūtais laiks ${minutes(late.creditedMs)}` : '';
    out.line(`Pēc pārsēdināšanas saņemts no vecā datora ${late.from}, nav ņemts vērā: ${late.name} (ierakstu skaits: ${late.events}${credited}).`, { bold: true });
  }

  out.heading('Incidenti');
  out.table(
    [
      { title: 'Laiks', width: 0.2 },
      { title: 'Veids', width: 0.18 },
      { title: 'Kandidāts', width: 0.17 },
      { title: 'Apraksts', width: 0.31 },
      { title: 'Reģistrēja', width: 0.14 },
    ],
    data.incidents.map((i) => [rigaTime(i.at), INCIDENT_WORDS[i.kind as IncidentKind] ?? i.kind, i.name ?? '—', i.note, i.by === 'candidate' ? 'kandidāts' : i.by]),
    'Incidentu nav.',
  );

  out.heading('Aizzīmogošana');
  out.table(
    [
      { title: 'Vieta', width: 0.14 },
      { title: 'Beigas', width: 0.14 },
      { title: 'Kontrolsumma', width: 0.2 },
      { title: 'Piezīme', width: 0.52 },
    ],
    status.seats.map((s) => [s.label ?? s.deviceId.slice(0, 8), s.final ? 'galīgais stāvoklis' : s.end === 'applied' ? 'beigts' : s.end === 'refused' ? `atteica (${s.endCode ?? ''})` : 'gaida', SEAL_STATE_WORDS[s.seal] ?? s.seal, s.accounted ? `${s.accounted.reason} (${s.accounted.by}, ${rigaTime(s.accounted.at)})` : (s.sealCode ?? '')]),
    'Sesijai nav kandidātu datoru.',
  );
  if (data.seal) {
    const { statement } = data.seal;
    out.line(`Aizzīmogots: ${rigaTime(statement.sealedAt)}; aizzīmogoja ${statement.sealedBy}.`, { bold: true });
    out.line(`Sesijas kontrolsumma (SHA-256): ${statement.sessionDigest}`);
    out.line(`Telpas žurnāla galva: ieraksts Nr. ${statement.auditHead.seq}, ${statement.auditHead.hash}`);
    out.line(`Parakstījis telpas dators ${statement.hubDeviceId} ar savu ierīces atslēgu (ECDSA P-256).`);
    out.qr(sealQrText(statement.sessionId, statement.sessionDigest, statement.hubDeviceId), 130);
  }

  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
