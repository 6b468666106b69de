/**
 * Template preview: `npm run preview -- <template-id | prefix | all> [language]`
 *   npm run preview -- all                       every channel × phase × tone × language
 *   npm run preview -- email/reminder/friendly   one template id, both languages
 *   npm run preview -- letter en                 every letter, English only
 * Renders with the fictional sample agency (templates/agency.json) and sample debtor data into .preview/
 * (gitignored) as .html / .txt / .pdf / .json and prints the paths. WhatsApp is rendered twice: inside the 24 h
 * window (free text, *.window-open.*) and outside it (approved template + variables, *.template.*).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Channel, ClaimLine, Language, Phase, RenderInput, RenderedMessage, Tone } from '../../functions/channels/render-contract.js';
import { LANGUAGES, createRenderer, defaultTemplatesDir, loadSampleAgency, type Renderer } from '../../functions/channels/render.js';

export const DEFAULT_PREVIEW_DIR = fileURLToPath(new URL('../../.preview/', import.meta.url));

const NOW = new Date('2026-03-02T09:00:00Z');
const DAY = 86_400_000;

/** Sample data per phase: no costs before the 14-day term, costs after it, a respond-by date late in the journey. */
export function sampleInput(channel: Channel, phase: Phase, tone: Tone, language: Language, templatesDir = defaultTemplatesDir()): RenderInput {
  const principal1 = 84_750;
  const paid1 = 10_000;
  const principal2 = 48_010;
  const open = principal1 - paid1 + principal2; // 1,227.60
  const wik = 18_414; // 15% of the open principal (DESIGN §5 rule 1)
  const costsAdded = phase === 'demand' || phase === 'final_notice' || phase === 'handover';
  const c1 = costsAdded ? 11_213 : 0;
  const c2 = costsAdded ? wik - 11_213 : 0;
  const claims: ClaimLine[] = [
    {
      reference: 'MW-2026-000123',
      description: language === 'nl' ? 'Energierekening januari 2026' : 'Energy bill January 2026',
      creditorName: 'Voorbeeld Energie B.V.',
      principal: principal1,
      costs: c1,
      paid: paid1,
      outstanding: principal1 - paid1 + c1,
    },
    {
      reference: 'MW-2026-000124',
      description: language === 'nl' ? 'Energierekening februari 2026' : 'Energy bill February 2026',
      creditorName: 'Voorbeeld Energie B.V.',
      principal: principal2,
      costs: c2,
      paid: 0,
      outstanding: principal2 + c2,
    },
  ];
  return {
    channel,
    phase,
    tone,
    language,
    now: NOW,
    debtor: { name: 'J. de Vries', address: { line1: 'Voorbeeldlaan 7', postalCode: '9999 AA', city: 'Voorbeeldstad' } },
    claims,
    totalOutstanding: open + (costsAdded ? wik : 0),
    paymentLink: 'https://betaal.voorbeeldstad.example/7KX9QA',
    costNotice: phase === 'fourteen_day_letter' ? { costs: wik, vatIncluded: false } : undefined,
    agency: loadSampleAgency(templatesDir),
    respondBy: phase === 'final_notice' || phase === 'handover' ? new Date(NOW.getTime() + 14 * DAY) : undefined,
  };
}

export interface PreviewResult {
  id: string;
  language: Language;
  variant?: 'window-open' | 'template';
  message: RenderedMessage;
  files: string[];
}

/** Render every template matching `selector` ('all', an id, or an id prefix such as 'email' or 'sms/demand'). */
export async function runPreview(
  selector: string,
  opts: { outDir?: string; languages?: Language[]; renderer?: Renderer; templatesDir?: string } = {},
): Promise<PreviewResult[]> {
  const outDir = opts.outDir ?? DEFAULT_PREVIEW_DIR;
  const templatesDir = opts.templatesDir ?? defaultTemplatesDir();
  const renderer = opts.renderer ?? createRenderer(templatesDir);
  const languages = opts.languages ?? [...LANGUAGES];
  const sel = selector.replace(/^\/+|\/+$/g, '');
  const templates = renderer.listTemplates().filter((t) => sel === 'all' || t.id === sel || t.id.startsWith(`${sel}/`));
  if (templates.length === 0) {
    throw new Error(`no template matches "${selector}"; use 'all', a channel (email, sms, whatsapp, letter, call), or an id like email/reminder/friendly`);
  }
  const results: PreviewResult[] = [];
  for (const t of templates) {
    for (const language of languages) {
      const base = sampleInput(t.channel, t.phase, t.tone, language, templatesDir);
      const variants: { input: RenderInput; variant?: PreviewResult['variant'] }[] =
        t.channel === 'whatsapp'
          ? [
              { input: { ...base, whatsappWindowOpen: true }, variant: 'window-open' },
              { input: { ...base, whatsappWindowOpen: false }, variant: 'template' },
            ]
          : [{ input: base }];
      for (const { input, variant } of variants) {
        const message = await renderer.renderMessage(input);
        const stem = join(outDir, t.channel, t.phase, `${t.tone}.${language}${variant ? `.${variant}` : ''}`);
        await mkdir(dirname(stem), { recursive: true });
        const files: string[] = [];
        const put = async (ext: string, data: string | Buffer) => {
          await writeFile(`${stem}.${ext}`, data);
          files.push(`${stem}.${ext}`);
        };
        if (message.html) await put('html', message.html);
        if (message.pdf) await put('pdf', message.pdf);
        await put('txt', message.subject ? `${message.subject}\n\n${message.text}` : message.text);
        const { pdf, html, ...meta } = message;
        await put(
          'json',
          JSON.stringify({ ...meta, html: html ? `${stem}.html` : undefined, pdfBytes: pdf?.length, source: t.sources[language] }, null, 2),
        );
        results.push({ id: t.id, language, variant, message, files });
      }
    }
  }
  return results;
}

async function main(argv: string[]): Promise<void> {
  const [selector = 'all', lang] = argv;
  if (lang !== undefined && lang !== 'nl' && lang !== 'en') throw new Error(`language must be nl or en, got ${lang}`);
  const results = await runPreview(selector, { languages: lang ? [lang] : undefined });
  for (const r of results) for (const f of r.files) console.log(relative(process.cwd(), f));
  const letters = results.filter((r) => r.message.pdf).length;
  console.log(`\n${results.length} messages rendered (${letters} letter PDFs) into ${relative(process.cwd(), DEFAULT_PREVIEW_DIR) || '.'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
