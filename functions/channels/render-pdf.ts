/**
 * Letter PDF (pdfkit): A4, agency letterhead, address block where a Dutch window envelope shows it, date /
 * reference / subject, the body blocks with the amounts table and a payment box, and on every page a footer with
 * the agency's name, address, Wki registration number and contact details plus "page x of y".
 * Fonts: pdfkit's standard Helvetica (WinAnsi: Latin-1, € and a few more) when every text of the letter is WinAnsi —
 * most letters, byte for byte as ever; otherwise the whole letter in the embedded Unicode font of letter-font.ts
 * (Arimo: Helvetica's widths, Latin Extended, Vietnamese, Greek, Cyrillic), so that "Łukasz Şahin" in the address
 * block and the salutation prints as such. What that font lacks prints as U+FFFD, with a warning in the log that
 * counts the characters and names their scripts (never the text). The text stays extractable in both.
 */
import PDFDocument from 'pdfkit';
import { logger } from '../shared/logger.js';
import { isWinAnsi, letterFonts } from './letter-font.js';
import type { AgencyDetails, Language } from './render-contract.js';
import type { Block, Line } from './render-format.js';
import { lineText } from './render-format.js';
import type { BodyData } from './render-email.js';
import { claimDescription, showsDetail, showsInterest } from './render-email.js';

export interface LetterData {
  language: Language;
  now: Date;
  agency: Omit<AgencyDetails, 'iban'>;
  recipient: string[];
  title: string;
  blocks: Block[];
  body: BodyData;
  labels: {
    date: string;
    ourReference: string;
    subject: string;
    wki: string;
    contactLine: string;
    page: (page: number, pages: number) => string;
  };
  dateText: string;
  referencesText: string;
}

const A4 = { width: 595.28, height: 841.89 };
const M = { top: 48, bottom: 80, left: 62, right: 56 };
const W = A4.width - M.left - M.right;
/** The letter's two fonts, by the names the document knows them by. */
interface Fonts {
  regular: string;
  bold: string;
}
const STANDARD_FONTS: Fonts = { regular: 'Helvetica', bold: 'Helvetica-Bold' };
const UNICODE_FONTS: Fonts = { regular: 'Maatwerk-Letter', bold: 'Maatwerk-Letter-Bold' };
const BRAND = '#1f5f8b';
const INK = '#222222';
const GREY = '#555555';
const BODY_SIZE = 10;
const LINE_GAP = 2.5;

export function renderLetterPdf(d: LetterData): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: M,
    bufferPages: true,
    autoFirstPage: true,
    lang: d.language === 'nl' ? 'nl-NL' : 'en-GB',
    displayTitle: true,
    info: {
      Title: d.title,
      Author: d.agency.name,
      Subject: d.title,
      Creator: 'Maatwerk',
      Producer: 'Maatwerk (pdfkit)',
      CreationDate: d.now,
      ModDate: d.now,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const f = fontsFor(doc, d);
  letterhead(doc, d, f);
  addressBlock(doc, d.recipient, f);
  metaBlock(doc, d, f);
  doc.x = M.left;
  for (const block of d.blocks) drawBlock(doc, block, d, f);
  footers(doc, d, f);
  doc.end();
  return done;
}

/** Every text of the letter: each string in its data (whether drawn or not) and what its label functions make. */
export function letterTexts(d: LetterData): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object' && !(v instanceof Date)) Object.values(v).forEach(walk);
  };
  walk(d);
  out.push(d.labels.page(1, 1), ...d.body.claims.map(claimDescription), d.body.money(d.body.totalOutstanding));
  return out;
}

/** Helvetica when every text is WinAnsi, else the Unicode fonts (registered with this document); see the header. */
function fontsFor(doc: PDFKit.PDFDocument, d: LetterData): Fonts {
  const texts = letterTexts(d);
  if (texts.every(isWinAnsi)) return STANDARD_FONTS;
  const fonts = letterFonts();
  // pdfkit takes an object with fontkit's layout() as a font and embeds it itself (letter-font.ts)
  doc.registerFont(UNICODE_FONTS.regular, fonts.regular as never).registerFont(UNICODE_FONTS.bold, fonts.bold as never);
  const lacking = texts.flatMap((t) => fonts.regular.lacking(t));
  if (lacking.length > 0) {
    logger.warn('letter: characters the letter font lacks are printed as U+FFFD', { characters: lacking.length, scripts: scriptsOf(lacking) });
  }
  return UNICODE_FONTS;
}

const SCRIPTS = ['Arabic', 'Hebrew', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Thai', 'Devanagari', 'Bengali', 'Gurmukhi', 'Tamil', 'Armenian', 'Georgian', 'Ethiopic', 'Syriac', 'Thaana', 'Khmer', 'Sinhala', 'Latin', 'Greek', 'Cyrillic', 'Common'];
const SCRIPT_TESTS = SCRIPTS.map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, 'u')] as const);

/** The Unicode scripts of some code points (for the log: which, never the text). */
function scriptsOf(codePoints: number[]): string[] {
  const names = new Set<string>();
  for (const cp of codePoints) names.add(SCRIPT_TESTS.find(([, re]) => re.test(String.fromCodePoint(cp)))?.[0] ?? 'other');
  return [...names].sort();
}

function letterhead(doc: PDFKit.PDFDocument, d: LetterData, f: Fonts): void {
  const a = d.agency;
  doc.fillColor(BRAND).font(f.bold).fontSize(16).text(a.name, M.left, M.top, { width: W * 0.55 });
  doc.fillColor(GREY).font(f.regular).fontSize(8.5);
  const right = [a.address, a.phone, a.email, a.website, d.labels.wki];
  doc.text(right.join('\n'), M.left + W * 0.55, M.top + 2, { width: W * 0.45, align: 'right', lineGap: 1.5 });
  doc
    .moveTo(M.left, 122)
    .lineTo(A4.width - M.right, 122)
    .lineWidth(1)
    .strokeColor(BRAND)
    .stroke();
}

/** Window envelope (DL/EA5, window on the left): the address sits about 50 mm from the top, 22 mm from the left. */
function addressBlock(doc: PDFKit.PDFDocument, lines: string[], f: Fonts): void {
  doc.fillColor(INK).font(f.regular).fontSize(BODY_SIZE).text(lines.join('\n'), M.left, 150, { width: 240, lineGap: 1.5 });
}

function metaBlock(doc: PDFKit.PDFDocument, d: LetterData, f: Fonts): void {
  const rows: [string, string, boolean][] = [
    [d.labels.date, d.dateText, false],
    [d.labels.ourReference, d.referencesText, false],
    [d.labels.subject, d.title, true],
  ];
  let y = 232;
  for (const [label, value, bold] of rows) {
    doc.fillColor(GREY).font(f.regular).fontSize(9).text(label, M.left, y + 1, { width: 95 });
    doc.fillColor(INK).font(bold ? f.bold : f.regular).fontSize(BODY_SIZE).text(value, M.left + 100, y, { width: W - 100 });
    y = Math.max(doc.y, y + 14) + 3;
  }
  doc.y = y + 12;
}

function pageBottom(doc: PDFKit.PDFDocument): number {
  return doc.page.height - doc.page.margins.bottom;
}

function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > pageBottom(doc)) {
    doc.addPage();
    doc.y = doc.page.margins.top;
  }
}

function drawLine(doc: PDFKit.PDFDocument, line: Line, f: Fonts, opts: PDFKit.Mixins.TextOptions = {}): void {
  const runs = line.length > 0 ? line : [{ text: ' ', bold: false }];
  runs.forEach((r, i) => {
    doc.font(r.bold ? f.bold : f.regular);
    const o = { ...opts, width: W, lineGap: LINE_GAP, continued: i < runs.length - 1 };
    if (i === 0) doc.text(r.text, M.left, doc.y, o);
    else doc.text(r.text, o);
  });
}

function drawBlock(doc: PDFKit.PDFDocument, block: Block, d: LetterData, f: Fonts): void {
  doc.fillColor(INK).fontSize(BODY_SIZE);
  switch (block.kind) {
    case 'paragraph': {
      // keep short paragraphs (sign-off, two-liners) together on one page
      const h = doc.font(f.regular).heightOfString(block.lines.map(lineText).join('\n'), { width: W, lineGap: LINE_GAP });
      if (h < 80) ensureSpace(doc, h);
      for (const line of block.lines) drawLine(doc, line, f);
      doc.moveDown(0.7);
      break;
    }
    case 'heading':
      ensureSpace(doc, 40);
      doc.font(f.bold).fontSize(12).fillColor(BRAND).text(block.text, M.left, doc.y, { width: W });
      doc.moveDown(0.4);
      break;
    case 'list':
      doc.font(f.regular).list(block.items.map(lineText), M.left, doc.y, { width: W, bulletRadius: 1.8, textIndent: 12, lineGap: LINE_GAP });
      doc.moveDown(0.7);
      break;
    case 'claims':
      claimsTable(doc, d, f);
      break;
    case 'pay':
      payBox(doc, d, f);
      break;
  }
}

function claimsTable(doc: PDFKit.PDFDocument, d: LetterData, f: Fonts): void {
  const { labels: l, money, claims } = d.body;
  const detail = showsDetail(claims);
  const interest = showsInterest(claims);
  // with an interest column the amounts get a little narrower, so the description keeps room
  const num = interest ? 58 : 64;
  const cols: { head: string; width: number; align: 'left' | 'right'; cell: (i: number) => string }[] = detail
    ? [
        { head: l.reference, width: 86, align: 'left', cell: (i) => claims[i].reference },
        { head: l.description, width: W - 86 - (interest ? 5 : 4) * num, align: 'left', cell: (i) => claimDescription(claims[i]) },
        { head: l.principal, width: num, align: 'right', cell: (i) => money(claims[i].principal) },
        { head: l.costs, width: num, align: 'right', cell: (i) => money(claims[i].costs) },
        ...(interest ? [{ head: l.interest, width: num, align: 'right' as const, cell: (i: number) => money(claims[i].interest ?? 0) }] : []),
        { head: l.paid, width: num, align: 'right', cell: (i) => money(claims[i].paid) },
        { head: l.outstanding, width: num, align: 'right', cell: (i) => money(claims[i].outstanding) },
      ]
    : [
        { head: l.reference, width: 110, align: 'left', cell: (i) => claims[i].reference },
        { head: l.description, width: W - 110 - 100, align: 'left', cell: (i) => claimDescription(claims[i]) },
        { head: l.outstanding, width: 100, align: 'right', cell: (i) => money(claims[i].outstanding) },
      ];
  const PAD = 4;
  const size = 9;

  const row = (cells: string[], font: string, opts: { rule?: string; ruleWidth?: number } = {}) => {
    doc.font(font).fontSize(size);
    const h = Math.max(...cells.map((t, i) => doc.heightOfString(t, { width: cols[i].width - 2 * PAD }))) + 2 * PAD;
    ensureSpace(doc, h + 2);
    const y = doc.y;
    let x = M.left;
    cells.forEach((t, i) => {
      doc.fillColor(INK).font(font).fontSize(size).text(t, x + PAD, y + PAD, { width: cols[i].width - 2 * PAD, align: cols[i].align });
      x += cols[i].width;
    });
    if (opts.rule) {
      doc
        .moveTo(M.left, y + h)
        .lineTo(M.left + W, y + h)
        .lineWidth(opts.ruleWidth ?? 0.5)
        .strokeColor(opts.rule)
        .stroke();
    }
    doc.x = M.left;
    doc.y = y + h;
  };

  doc.moveDown(0.2);
  row(
    cols.map((c) => c.head),
    f.bold,
    { rule: BRAND, ruleWidth: 1 },
  );
  claims.forEach((_, i) =>
    row(
      cols.map((c) => c.cell(i)),
      f.regular,
      { rule: '#cccccc' },
    ),
  );
  // total: label across all but the last column, amount in the last
  doc.font(f.bold).fontSize(size);
  ensureSpace(doc, 20);
  const y = doc.y;
  const last = cols[cols.length - 1];
  doc.fillColor(INK).text(l.total, M.left + PAD, y + PAD + 1, { width: W - last.width - 2 * PAD });
  doc.text(money(d.body.totalOutstanding), M.left + W - last.width + PAD, y + PAD + 1, { width: last.width - 2 * PAD, align: 'right' });
  doc.x = M.left;
  doc.y = y + 22;
  doc.moveDown(0.6);
  doc.fontSize(BODY_SIZE);
}

function payBox(doc: PDFKit.PDFDocument, d: LetterData, f: Fonts): void {
  const { labels: l, paymentLink } = d.body;
  const inner = W - 24;
  doc.font(f.bold).fontSize(BODY_SIZE);
  const h1 = doc.heightOfString(l.payOnline, { width: inner, lineGap: LINE_GAP });
  doc.font(f.regular);
  const h2 = l.transfer ? doc.heightOfString(l.transfer, { width: inner, lineGap: LINE_GAP }) + 4 : 0;
  const h = h1 + h2 + 20;
  ensureSpace(doc, h);
  const y = doc.y;
  doc.rect(M.left, y, W, h).fillColor('#eef3f7').fill();
  doc.rect(M.left, y, 3, h).fillColor(BRAND).fill();
  doc.fillColor(INK).font(f.bold).fontSize(BODY_SIZE).text(l.payOnline, M.left + 12, y + 10, { width: inner, lineGap: LINE_GAP, link: paymentLink });
  if (l.transfer) doc.font(f.regular).text(l.transfer, M.left + 12, doc.y + 4, { width: inner, lineGap: LINE_GAP });
  doc.x = M.left;
  doc.y = y + h;
  doc.moveDown(0.9);
}

function footers(doc: PDFKit.PDFDocument, d: LetterData, f: Fonts): void {
  const range = doc.bufferedPageRange();
  const a = d.agency;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the margin must not trigger a page break
    const y = A4.height - 62;
    doc
      .moveTo(M.left, y)
      .lineTo(A4.width - M.right, y)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
    doc.fillColor(GREY).font(f.regular).fontSize(7.5);
    doc.text(`${a.name} · ${a.address} · ${d.labels.wki}`, M.left, y + 6, { width: W - 70, lineGap: 1 });
    doc.text(d.labels.contactLine, M.left, doc.y, { width: W - 70, lineGap: 1 });
    doc.text(d.labels.page(i - range.start + 1, range.count), A4.width - M.right - 70, y + 6, { width: 70, align: 'right' });
    if (i > range.start) {
      // continuation pages: who and which file, above the body
      doc.text(`${a.name} · ${d.labels.ourReference} ${d.referencesText}`, M.left, 26, { width: W, lineBreak: false });
    }
    doc.page.margins.bottom = bottom;
  }
}
