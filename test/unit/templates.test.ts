import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { norm, pdfText } from '../support/pdf-text.js';
import type { Channel, Language, Phase, RenderedMessage, Tone } from '../../functions/channels/render-contract.js';
import {
  CHANNELS,
  LANGUAGES,
  PHASES,
  RenderError,
  TONES,
  createRenderer,
  defaultTemplatesDir,
  listTemplates,
  loadSampleAgency,
  renderMessage,
} from '../../functions/channels/render.js';
import { formatDate, formatMoney, joinList, parseBlocks, splitFrontMatter } from '../../functions/channels/render-format.js';
import { runPreview, sampleInput } from '../../infra/local/preview.js';

// pdfText: what a screen reader or a search would see of a PDF (pdf.js); norm: whitespace-insensitive

const TEMPLATES_DIR = defaultTemplatesDir();
const agency = loadSampleAgency();

interface Rendered {
  channel: Channel;
  phase: Phase;
  tone: Tone;
  language: Language;
  windowOpen?: boolean;
  msg: RenderedMessage;
  /** what the debtor sees: text for SMS/WhatsApp/call, text + HTML for email, the PDF's own text for letters */
  visible: string;
}

const all: Rendered[] = [];

beforeAll(async () => {
  for (const channel of CHANNELS)
    for (const phase of PHASES)
      for (const tone of TONES)
        for (const language of LANGUAGES) {
          const input = sampleInput(channel, phase, tone, language);
          const windows = channel === 'whatsapp' ? [true, false] : [undefined];
          for (const windowOpen of windows) {
            const msg = await renderMessage({ ...input, whatsappWindowOpen: windowOpen });
            const visible = msg.pdf ? await pdfText(msg.pdf) : [msg.subject ?? '', msg.text, msg.html ?? ''].join('\n');
            all.push({ channel, phase, tone, language, windowOpen, msg, visible });
          }
        }
});

describe('every (channel, tone, phase, language) renders a complete message', () => {
  it('renders all 5 × 3 × 5 × 2 combinations (WhatsApp inside and outside the window)', () => {
    expect(all).toHaveLength(5 * 3 * 5 * 2 + 3 * 5 * 2);
    for (const r of all) {
      expect(r.msg.template).toBe(`${r.channel}/${r.phase}/${r.tone}`);
      expect(r.msg.language).toBe(r.language);
      expect(r.msg.text.trim().length).toBeGreaterThan(40);
      expect(r.msg.text).not.toMatch(/\{\{|\}\}|\[\[|\*\*|undefined|null|NaN|\[object/);
    }
  });

  it('names the agency, its Wki number and how to reach it; states the amount, the reference(s) and the payment link', () => {
    for (const r of all) {
      const label = `${r.channel}/${r.phase}/${r.tone}/${r.language}${r.windowOpen === undefined ? '' : ` window=${r.windowOpen}`}`;
      const v = norm(r.visible);
      const input = sampleInput(r.channel, r.phase, r.tone, r.language);
      expect(v, label).toContain(agency.name);
      expect(v, label).toContain(agency.wkiNumber);
      expect(v, label).toContain(agency.phone);
      if (r.channel === 'email' || r.channel === 'letter' || r.channel === 'call') {
        expect(v, label).toContain(agency.email);
        expect(v, label).toContain(agency.website);
      }
      expect(v, label).toContain(norm(formatMoney(input.totalOutstanding, r.language)));
      for (const c of input.claims) expect(v, label).toContain(c.reference);
      expect(v, label).toContain(input.paymentLink);
    }
  });

  it('letters are PDFs with the address block, date and amounts table; emails have subject, HTML and a plain-text part', () => {
    for (const r of all.filter((x) => x.channel === 'letter')) {
      expect(r.msg.pdf!.subarray(0, 5).toString()).toBe('%PDF-');
      const v = norm(r.visible);
      expect(v).toContain('J. de Vries Voorbeeldlaan 7 9999 AA Voorbeeldstad');
      expect(v).toContain(r.language === 'nl' ? 'Datum 2 maart 2026' : 'Date 2 March 2026');
      expect(v).toContain(r.language === 'nl' ? 'Totaal nog te betalen' : 'Total outstanding');
      expect(v).toContain(r.language === 'nl' ? 'Wki-registratienummer WKI-2026-00042' : 'Wki registration number WKI-2026-00042');
      expect(r.msg.subject).toBeTruthy();
      expect(r.msg.html).toBeUndefined();
    }
    for (const r of all.filter((x) => x.channel === 'email')) {
      expect(r.msg.subject!.length).toBeGreaterThan(10);
      expect(r.msg.html).toMatch(new RegExp(`^<!DOCTYPE html>[\\s\\S]*<html lang="${r.language}"`));
      expect(r.msg.html).toContain('name="viewport"');
      expect(r.msg.html).toContain(`href="${sampleInput('email', r.phase, r.tone, r.language).paymentLink}"`);
      expect(r.msg.text).toContain(sampleInput('email', r.phase, r.tone, r.language).paymentLink);
      expect(r.msg.pdf).toBeUndefined();
    }
  });

  it('every SMS is GSM-7 and at most 2 segments with the sample data (two dossiers, a respond-by date)', () => {
    for (const r of all.filter((x) => x.channel === 'sms')) {
      expect(r.msg.sms, r.msg.text).toMatchObject({ encoding: 'GSM-7' });
      expect(r.msg.sms!.segments, r.msg.text).toBeLessThanOrEqual(2);
      expect(r.msg.text).not.toContain('\n');
    }
  });

  it('tone changes the wording: friendly, neutral and firm differ for every channel, phase and language', () => {
    for (const channel of CHANNELS)
      for (const phase of PHASES)
        for (const language of LANGUAGES) {
          if (channel === 'whatsapp') continue; // outside the window the approved template has no tone
          const texts = TONES.map((tone) => all.find((r) => r.channel === channel && r.phase === phase && r.tone === tone && r.language === language)!.msg.text);
          expect(new Set(texts).size, `${channel}/${phase}/${language}`).toBeGreaterThan(1);
        }
  });
});

describe('the 14-day letter (DESIGN §5 rule 3)', () => {
  const TERM = {
    nl: 'binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd',
    en: 'within 14 days from the day after this letter has been delivered to you',
  } as const;

  for (const language of LANGUAGES)
    for (const vatIncluded of [false, true]) {
      it(`${language}, VAT ${vatIncluded ? 'included' : 'not charged'}: the PDF states the exact term, the exact cost amount and the VAT, in every tone`, async () => {
        const costs = vatIncluded ? 22_281 : 18_414; // €184.14 × 1.21 = €222.81
        for (const tone of TONES) {
          const input = { ...sampleInput('letter', 'fourteen_day_letter', tone, language), costNotice: { costs, vatIncluded } };
          const msg = await renderMessage(input);
          const raw = await pdfText(msg.pdf!);
          const text = norm(raw);
          expect(text).toContain(TERM[language]);
          expect(norm(msg.text)).toContain(TERM[language]);
          const amount = formatMoney(costs, language);
          expect(text).toContain(norm(amount));
          // the amount is never split over two lines
          expect(raw).toMatch(new RegExp(amount.replace(/[.$]/g, '\\$&').replace(/\s/g, '[ \\u00a0]')));
          if (language === 'nl') {
            expect(text).toMatch(/incassokosten/);
            expect(text).toContain(vatIncluded ? 'In dit bedrag zit 21% btw' : 'Over dit bedrag betaalt u geen btw');
            expect(text).toContain(`U moet dan in totaal ${norm(formatMoney(input.totalOutstanding + costs, 'nl'))} betalen`);
          } else {
            expect(text).toContain(vatIncluded ? 'This amount includes 21% VAT' : 'No VAT is charged on this amount');
            expect(text).toContain(`You will then have to pay ${formatMoney(input.totalOutstanding + costs, 'en')} in total`);
          }
          expect(text).not.toMatch(/na dagtekening|na heden|na verzending/);
        }
      });
    }

  it('the e-mail after the letter refers to the letter\'s term and states the same cost amount, never a term of its own (DESIGN §5 rule 12)', async () => {
    const nl = await renderMessage(sampleInput('email', 'fourteen_day_letter', 'neutral', 'nl'));
    expect(norm(nl.text)).toContain('binnen de termijn die in onze brief staat');
    expect(norm(nl.text)).toContain('Die kosten zijn € 184,14');
    expect(norm(nl.text)).not.toMatch(/nadat deze e-mail|14 dagen/);
    const dated = await renderMessage({ ...sampleInput('email', 'fourteen_day_letter', 'neutral', 'nl'), termEndDate: '2026-03-16' });
    expect(norm(dated.text)).toContain('Betaal € 1.227,60 uiterlijk op 16 maart 2026. Dat is de laatste dag van de termijn uit onze brief.');
    expect(dated.subject).toBe('Betaal uiterlijk 16 maart 2026 zonder incassokosten (MW-2026-000123 en MW-2026-000124)');
    const en = await renderMessage({ ...sampleInput('email', 'fourteen_day_letter', 'neutral', 'en'), termEndDate: '2026-03-16' });
    expect(norm(en.text)).toContain('Pay €1,227.60 by 16 March 2026 at the latest. That is the last day of the term in our letter.');
    expect(norm(en.text)).not.toMatch(/after this email has been delivered|14 days/);
  });

  it('other phases do not mention a 14-day term', () => {
    for (const r of all.filter((x) => x.phase !== 'fourteen_day_letter')) {
      expect(norm(r.visible)).not.toMatch(/14 dagen|14 days/);
    }
  });
});

describe('tone rules (DESIGN §5 rules 3 and 9)', () => {
  const FORBIDDEN_TERM = [/na dagtekening/i, /na heden/i, /na verzending/i, /from the date of this letter/i, /after (the )?sending/i, /date of (this|the) letter/i];
  const MEASURES = [/beslag/i, /garnish/i, /\bseiz/i, /attachment of earnings/i, /loonbeslag/i, /ontruim/i, /\bevict/i];
  const LEGAL_ROUTE = [/deurwaarder/i, /bailiff/i, /\brechter\b/i, /\bcourt\b/i, /dagvaard/i, /summons/i];

  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

  it('no template file contains invalid 14-day wording or measures that need a judgment', () => {
    const sources = files(TEMPLATES_DIR).filter((f) => /\.(hbs|json)$/.test(f));
    expect(sources.length).toBeGreaterThan(60);
    for (const f of sources) {
      const src = readFileSync(f, 'utf8');
      for (const re of [...FORBIDDEN_TERM, ...MEASURES]) expect(src, `${f} ${re}`).not.toMatch(re);
    }
  });

  it('no rendered message contains them either; bailiff / court appear only in the final notice and the hand-over', () => {
    for (const r of all) {
      const v = norm(r.visible);
      for (const re of FORBIDDEN_TERM) expect(v, `${r.msg.template} ${re}`).not.toMatch(re);
      for (const re of MEASURES) expect(v, `${r.msg.template} ${re}`).not.toMatch(re);
      if (r.phase !== 'final_notice' && r.phase !== 'handover') {
        for (const re of LEGAL_ROUTE) expect(v, `${r.msg.template}/${r.language} ${re}`).not.toMatch(re);
      }
    }
  });

  it('the hand-over presents the bailiff as the next step and says it can still be prevented', () => {
    for (const r of all.filter((x) => x.phase === 'handover' && x.channel !== 'whatsapp')) {
      const v = norm(r.visible);
      expect(v).toMatch(r.language === 'nl' ? /deurwaarder/ : /bailiff/);
      expect(v).toMatch(r.language === 'nl' ? /voorkomen|Voorkom/ : /prevent/i);
    }
  });

  it('every message offers help when the debtor cannot pay (except the short SMS/WhatsApp template, which gives the phone)', () => {
    for (const r of all.filter((x) => x.channel === 'email' || x.channel === 'letter')) {
      expect(norm(r.visible)).toMatch(r.language === 'nl' ? /betalingsregeling/ : /payment plan/);
    }
  });
});

describe('WhatsApp (DESIGN §5 rule 11)', () => {
  const content = JSON.parse(readFileSync(join(TEMPLATES_DIR, 'whatsapp', 'content-templates.json'), 'utf8')) as {
    templates: Record<string, Record<string, { contentSid: string; category: string; variables: string[]; body: string }>>;
  };

  it('outside the 24 h window (flag false or absent): an approved template ContentSid with numbered variables, no free text', async () => {
    for (const r of all.filter((x) => x.channel === 'whatsapp' && x.windowOpen === false)) {
      const t = r.msg.whatsappTemplate!;
      expect(t.contentSid).toMatch(/^HX[0-9a-f]{32}$/);
      expect(t.contentSid).toBe(content.templates[r.phase][r.language].contentSid);
      expect(Object.keys(t.variables)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      expect(t.variables['1']).toBe('J. de Vries');
      expect(norm(t.variables['2'])).toBe(norm(formatMoney(sampleInput('whatsapp', r.phase, r.tone, r.language).totalOutstanding, r.language)));
      for (const v of Object.values(t.variables)) {
        expect(v.length).toBeGreaterThan(0);
        expect(v).not.toMatch(/[\n\t]| {4}/);
      }
      // the text is exactly the approved body with the variables filled in — nothing free-form
      const body = content.templates[r.phase][r.language].body;
      expect(r.msg.text).toBe(body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => t.variables[n]));
      expect(r.msg.html).toBeUndefined();
    }
    const input = sampleInput('whatsapp', 'demand', 'firm', 'nl');
    const absent = await renderMessage(input);
    expect(absent.whatsappTemplate?.contentSid).toMatch(/^HX[0-9a-f]{32}$/);
  });

  it('inside the window: free text, no template', () => {
    const inside = all.filter((x) => x.channel === 'whatsapp' && x.windowOpen === true);
    expect(inside).toHaveLength(30);
    for (const r of inside) {
      expect(r.msg.whatsappTemplate).toBeUndefined();
      expect(r.msg.text).toContain('\n');
    }
  });

  it('content templates: utility category, unique fictional SIDs, every placeholder has a variable, no promotion', () => {
    const sids = new Set<string>();
    for (const phase of PHASES)
      for (const language of LANGUAGES) {
        const t = content.templates[phase][language];
        expect(t.category).toBe('UTILITY');
        expect(t.contentSid).toMatch(/^HX[0-9a-f]{32}$/);
        sids.add(t.contentSid);
        const used = [...t.body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1]));
        expect(new Set(used)).toEqual(new Set(t.variables.map((_, i) => i + 1)));
        expect(t.body).not.toMatch(/^\{\{|\}\}$/); // Meta rejects templates that start or end with a variable
        expect(t.body).not.toMatch(/korting|aanbieding|actie|gratis|discount|offer|promo|sale/i);
      }
    expect(sids.size).toBe(10);
  });
});

describe('input checks', () => {
  const base = () => sampleInput('letter', 'fourteen_day_letter', 'neutral', 'nl');

  it('the 14-day letter or email without costNotice is refused', async () => {
    await expect(renderMessage({ ...base(), costNotice: undefined })).rejects.toThrow(RenderError);
    await expect(renderMessage({ ...base(), channel: 'email', costNotice: undefined })).rejects.toThrow(/costNotice/);
  });

  it('refuses a letter without address, fractional cents, a non-http payment link, an agency without Wki number', async () => {
    await expect(renderMessage({ ...base(), debtor: { name: 'J. de Vries' } })).rejects.toThrow(/address/);
    await expect(renderMessage({ ...base(), totalOutstanding: 12.5 })).rejects.toThrow(/integer cents/);
    await expect(renderMessage({ ...base(), paymentLink: 'javascript:alert(1)' })).rejects.toThrow(/http/);
    await expect(renderMessage({ ...base(), agency: { ...agency, wkiNumber: ' ' } })).rejects.toThrow(/wkiNumber/);
    await expect(renderMessage({ ...base(), claims: [] })).rejects.toThrow(/claim/);
  });

  it('escapes data in the email HTML and keeps it on one line in text', async () => {
    const input = sampleInput('email', 'reminder', 'friendly', 'nl');
    const msg = await renderMessage({ ...input, debtor: { name: 'A <script>x</script>\n\n[[claims]] & "B"' } });
    expect(msg.html).not.toContain('<script>');
    expect(msg.html).toContain('A &lt;script&gt;x&lt;/script&gt; [[claims]] &amp; &quot;B&quot;');
    expect(msg.text).toContain('Beste A <script>x</script> [[claims]] & "B",');
  });

  it('more than two dossiers: SMS names the first two and the count', async () => {
    const input = sampleInput('sms', 'reminder', 'neutral', 'nl');
    const claims = [0, 1, 2, 3].map((i) => ({ ...input.claims[0], reference: `MW-${i}` }));
    const msg = await renderMessage({ ...input, claims });
    expect(msg.text).toContain('dossiers MW-0, MW-1 en 2 andere');
    const one = await renderMessage({ ...input, claims: [input.claims[0]], totalOutstanding: input.claims[0].outstanding });
    expect(one.text).toContain('voor dossier MW-2026-000123 nog');
  });
});

describe('formatting helpers', () => {
  it('money in euros: Dutch "€ 1.234,56", English "€1,234.56"', () => {
    expect(norm(formatMoney(123456, 'nl'))).toBe('€ 1.234,56');
    expect(formatMoney(123456, 'nl')).toBe('€\u00a01.234,56');
    expect(formatMoney(123456, 'en')).toBe('€1,234.56');
    expect(norm(formatMoney(4000, 'nl'))).toBe('€ 40,00');
    expect(formatMoney(5, 'en')).toBe('€0.05');
    expect(() => formatMoney(1.5, 'nl')).toThrow();
  });

  it('dates are calendar dates in Europe/Amsterdam', () => {
    expect(formatDate(new Date('2026-03-28T23:30:00Z'), 'nl')).toBe('29 maart 2026'); // 00:30 CET next day
    expect(formatDate(new Date('2026-07-31T22:30:00Z'), 'en')).toBe('1 August 2026'); // 00:30 CEST
    expect(formatDate('2026-12-31T12:00:00Z', 'nl')).toBe('31 december 2026');
    // a plain calendar day (a term end) is shown as that day, whatever the time zone of the machine
    expect(formatDate('2026-03-16', 'nl')).toBe('16 maart 2026');
    expect(formatDate('2027-01-01', 'en')).toBe('1 January 2027');
    expect(() => formatDate('2026-02-30', 'nl')).toThrow();
  });

  it('lists, front matter and blocks', () => {
    expect(joinList(['A', 'B', 'C'], 'nl')).toBe('A, B en C');
    expect(joinList(['A', 'B'], 'en')).toBe('A and B');
    expect(splitFrontMatter('subject: Hallo\npreheader: x\n---\nbody')).toEqual({ headers: { subject: 'Hallo', preheader: 'x' }, body: 'body' });
    expect(parseBlocks('Hallo **vet** einde\n\n[[claims]]\n\n- a\n- b\n\n[[pay]]')).toEqual([
      { kind: 'paragraph', lines: [[{ text: 'Hallo ', bold: false }, { text: 'vet', bold: true }, { text: ' einde', bold: false }]] },
      { kind: 'claims' },
      { kind: 'list', items: [[{ text: 'a', bold: false }], [{ text: 'b', bold: false }]] },
      { kind: 'pay' },
    ]);
  });
});

describe('template files and fallback rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maatwerk-templates-'));
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('listTemplates covers every channel/phase/tone with a file per language', () => {
    const list = listTemplates();
    expect(list).toHaveLength(5 * 5 * 3);
    for (const t of list) {
      for (const lang of LANGUAGES) {
        expect(t.sources[lang].language).toBe(lang); // no combination falls back to another language today
        expect(existsSync(join(TEMPLATES_DIR, t.sources[lang].file))).toBe(true);
      }
      if (t.channel === 'whatsapp') expect(t.whatsappContentSid?.nl).toMatch(/^HX/);
    }
    // call scripts use the channel default, which branches on the phase itself
    expect(list.find((t) => t.id === 'call/demand/firm')!.sources.nl.file).toBe(join('call', 'nl', 'default.hbs'));
  });

  it('phase.tone override → phase → default.tone → default, then the same chain in Dutch', async () => {
    writeFileSync(join(dir, 'sms', 'nl', 'reminder.firm.hbs'), 'OVERRIDE {{debtor.name}} {{money totalOutstanding}}');
    writeFileSync(join(dir, 'sms', 'nl', 'default.friendly.hbs'), 'DEFAULT-FRIENDLY {{phase}}');
    rmSync(join(dir, 'sms', 'en', 'demand.hbs'));
    rmSync(join(dir, 'sms', 'nl', 'handover.hbs'));
    const r = createRenderer(dir);
    expect(r.resolve('sms', 'reminder', 'firm', 'nl').file).toBe(join('sms', 'nl', 'reminder.firm.hbs'));
    expect(r.resolve('sms', 'reminder', 'neutral', 'nl').file).toBe(join('sms', 'nl', 'reminder.hbs'));
    expect(r.resolve('sms', 'handover', 'friendly', 'nl').file).toBe(join('sms', 'nl', 'default.friendly.hbs'));
    expect(() => r.resolve('sms', 'handover', 'neutral', 'nl')).toThrow(RenderError);
    expect(r.resolve('sms', 'demand', 'neutral', 'en')).toEqual({ file: join('sms', 'nl', 'demand.hbs'), language: 'nl' });

    const over = await r.renderMessage(sampleInput('sms', 'reminder', 'firm', 'nl', dir));
    expect(norm(over.text)).toBe('OVERRIDE J. de Vries € 1.227,60');
    const fellBack = await r.renderMessage(sampleInput('sms', 'demand', 'neutral', 'en', dir));
    expect(fellBack.language).toBe('nl');
    expect(fellBack.text).toContain('u hebt nog niet betaald');
  });

  it('strict templates: a misspelt variable fails loudly instead of rendering an empty gap', async () => {
    writeFileSync(join(dir, 'sms', 'nl', 'final_notice.hbs'), 'Beste {{debtor.nmae}}');
    const r = createRenderer(dir);
    await expect(r.renderMessage(sampleInput('sms', 'final_notice', 'firm', 'nl', dir))).rejects.toThrow(/nmae/);
  });
});

describe('preview (npm run preview -- all), run in-process', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'maatwerk-preview-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('renders every template into .html/.txt/.pdf/.json files', async () => {
    const results = await runPreview('all', { outDir: out });
    expect(results).toHaveLength(180);
    const files = results.flatMap((r) => r.files);
    for (const f of files) expect(statSync(f).size).toBeGreaterThan(0);
    expect(files.filter((f) => f.endsWith('.pdf'))).toHaveLength(30);
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(30);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(180);
    const meta = JSON.parse(readFileSync(join(out, 'whatsapp', 'reminder', 'friendly.nl.template.json'), 'utf8'));
    expect(meta.whatsappTemplate.contentSid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(existsSync(join(out, 'letter', 'fourteen_day_letter', 'neutral.nl.pdf'))).toBe(true);
  });

  it('selects by id or prefix and rejects an unknown selector', async () => {
    expect((await runPreview('email/reminder/friendly', { outDir: out })).map((r) => r.language)).toEqual(['nl', 'en']);
    expect(await runPreview('sms', { outDir: out, languages: ['en'] })).toHaveLength(15);
    await expect(runPreview('fax', { outDir: out })).rejects.toThrow(/no template matches/);
  });
});

