/**
 * Template renderer for every channel (contract: render-contract.ts). `renderMessage` is ASYNC (the letter PDF is
 * produced by a pdfkit stream); everything else is computed synchronously inside it.
 *
 * Templates: templates/<channel>/<language>/<file>.hbs (Handlebars 4.7). For (channel, tone, phase, language) the
 * first file that exists wins:
 *   0. <channel>/<lang>/<phase>.<variant>.hbs a template experiment's variant (RenderInput.variant), when it exists
 *   1. <channel>/<lang>/<phase>.<tone>.hbs   a tone-specific override of one phase
 *   2. <channel>/<lang>/<phase>.hbs          the phase; tone differences inside it with {{#if friendly}}…{{else if firm}}…
 *   3. <channel>/<lang>/default.<tone>.hbs   channel default for a tone
 *   4. <channel>/<lang>/default.hbs          channel default (branches on {{phase}} itself)
 * and if none exists for the language, the same chain in Dutch (the message then reports language 'nl').
 * Shared pieces live in templates/partials/<lang>/ (the legally required 14-day wording is one partial used by both
 * letter and email). Layout words are in templates/labels.json; WhatsApp's approved templates (outside the 24 h
 * window) in templates/whatsapp/content-templates.json. Templates compile in strict mode: a misspelt variable throws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CompileOptions, defaultTemplateStore, defaultTemplatesDir, fileTemplateStore, type HandlebarsEnv, type TemplateStore } from './template-store.js';
import {
  CHANNELS,
  LANGUAGES,
  PHASES,
  TONES,
  type AgencyDetails,
  type Channel,
  type ClaimLine,
  type Language,
  type Phase,
  type RenderInput,
  type RenderedMessage,
  type Tone,
} from './render-contract.js';
import { formatDate, formatMoney, joinList, oneLine, parseBlocks, splitFrontMatter, tidyText } from './render-format.js';
import { blocksToText, type BodyData, type LayoutLabels } from './render-email.js';
import { blocksToHtml } from './render-email-html.js';
import { renderLetterPdf } from './render-pdf.js';
import { smsInfo, smsText } from './render-sms.js';

export { CHANNELS, LANGUAGES, PHASES, TONES } from './render-contract.js';
export { defaultTemplatesDir };

export class RenderError extends Error {
  override name = 'RenderError';
}

export interface TemplateInfo {
  /** "email/reminder/friendly": what RenderedMessage.template reports */
  id: string;
  channel: Channel;
  phase: Phase;
  tone: Tone;
  /** per language the file that renders it (relative to the templates folder) and whether it fell back to Dutch */
  sources: Record<Language, { file: string; language: Language }>;
  /** WhatsApp only: the approved template used outside the 24 h window, per language */
  whatsappContentSid?: Record<Language, string>;
}

interface ContentTemplate {
  contentSid: string;
  friendlyName: string;
  category: 'UTILITY';
  variables: string[];
  body: string;
}
interface ContentTemplates {
  category: 'UTILITY';
  templates: Record<Phase, Partial<Record<Language, ContentTemplate>>>;
}

type Labels = Record<string, unknown> & {
  phases: Record<Phase, string>;
  tones: Record<Tone, string>;
};

export interface Renderer {
  renderMessage(input: RenderInput): Promise<RenderedMessage>;
  listTemplates(): TemplateInfo[];
  /** The file chain tried for one combination (for previews and tests). */
  resolve(channel: Channel, phase: Phase, tone: Tone, language: Language): { file: string; language: Language };
}

/**
 * The helpers every renderer registers (env() below). Declared to the compiler as the only helpers there are
 * (`knownHelpersOnly`): a template that calls another one fails to compile, and a plain `{{field}}` compiles to a
 * field look-up instead of a "helper or field?" check at every use — the same output, and precompiled templates
 * (the Lambda bundles) about a fifth smaller.
 */
const KNOWN_HELPERS = { money: true, date: true, eq: true, add: true } as const;
const COMPILE: CompileOptions = { noEscape: true, strict: true, ignoreStandalone: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
/** The HTML layout escapes its variables (unlike the message templates, whose output is escaped later). */
const COMPILE_LAYOUT: CompileOptions = { strict: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
const EMAIL_LAYOUT = 'email/layout.html.hbs';
const partialSource = (file: string) => file.replace(/\n+$/, '');

/** Partials a template source uses (`{{> name …}}`). */
const partialsUsedBy = (source: string) => [...source.matchAll(/\{\{~?>\s*([\w-]+)/g)].map((m) => m[1]);

/**
 * Every compilation a renderer of these channels can ask for, so a build can precompile exactly those: each template
 * file of the channels, the partials they use (directly or through other partials), the labels the email and letter
 * layouts compile, the email layout. `file` units are looked up by file name, the others by their source.
 * It mirrors createRenderer below: change both together (test/unit/template-store.test.ts renders every template
 * through the precompiled store, so a compilation missing here fails there).
 */
export function compileUnits(
  store: TemplateStore,
  channels: readonly Channel[],
  readSource: (file: string) => string,
): Array<{ file?: string; source: string; options: CompileOptions }> {
  const units: Array<{ file?: string; source: string; options: CompileOptions }> = [];
  for (const language of LANGUAGES) {
    const partials = new Set<string>();
    const use = (source: string) => {
      for (const name of partialsUsedBy(source)) {
        const file = `partials/${language}/${name}.hbs`;
        if (partials.has(file) || !store.exists(file)) continue;
        partials.add(file);
        const src = partialSource(readSource(file));
        units.push({ file, source: src, options: COMPILE });
        use(src);
      }
    };
    for (const channel of channels) {
      for (const f of store.list(`${channel}/${language}`).filter((n) => n.endsWith('.hbs'))) {
        const file = `${channel}/${language}/${f}`;
        const source = readSource(file);
        units.push({ file, source, options: COMPILE });
        use(source);
      }
    }
    if (channels.includes('email') || channels.includes('letter')) {
      const labels = JSON.parse(store.readData('labels.json')) as Record<Language, Record<string, unknown>>;
      for (const value of Object.values(labels[language] ?? {})) if (typeof value === 'string') units.push({ source: value, options: COMPILE });
    }
  }
  if (channels.includes('email')) units.push({ file: EMAIL_LAYOUT, source: readSource(EMAIL_LAYOUT), options: COMPILE_LAYOUT });
  return units;
}

/** The data files a renderer of these channels reads. */
export function dataFiles(channels: readonly Channel[]): string[] {
  return channels.length === 0 ? [] : ['labels.json', ...(channels.includes('whatsapp') ? ['whatsapp/content-templates.json'] : [])];
}

/** The fictional sample agency from templates/agency.json (previews, tests, the local runtime). */
export function loadSampleAgency(templatesDir = defaultTemplatesDir()): AgencyDetails {
  const raw = JSON.parse(readFileSync(join(templatesDir, 'agency.json'), 'utf8')) as AgencyDetails & { $comment?: string };
  const { $comment: _ignored, ...agency } = raw;
  return agency;
}

/** A renderer over a templates folder (a path) or any TemplateStore (the one embedded in a Lambda bundle). */
export function createRenderer(templates: string | TemplateStore = defaultTemplatesDir()): Renderer {
  const store = typeof templates === 'string' ? fileTemplateStore(templates) : templates;
  const envs = new Map<Language, HandlebarsEnv>();
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  let labelData: Record<Language, Labels> | undefined;
  // Read when first needed: a function that renders nothing (Await) carries no templates at all.
  const labelsOf = (language: Language): Labels => (labelData ??= JSON.parse(store.readData('labels.json')) as Record<Language, Labels>)[language];
  let content: ContentTemplates | undefined;
  // Only the WhatsApp function carries the approved templates.
  const contentTemplates = (): ContentTemplates => (content ??= JSON.parse(store.readData('whatsapp/content-templates.json')) as ContentTemplates);

  function env(language: Language): HandlebarsEnv {
    let hb = envs.get(language);
    if (hb) return hb;
    hb = store.env();
    hb.registerHelper('money', (cents: unknown) => formatMoney(Number(cents), language));
    hb.registerHelper('date', (value: unknown) => formatDate(value as Date | string, language));
    hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    hb.registerHelper('add', (...args: unknown[]) => args.slice(0, -1).reduce<number>((s, v) => s + Number(v), 0));
    for (const f of store.list(`partials/${language}`).filter((n) => n.endsWith('.hbs'))) {
      hb.registerPartial(f.slice(0, -4), store.compileFile(hb, `partials/${language}/${f}`, COMPILE, partialSource));
    }
    envs.set(language, hb);
    return hb;
  }

  function compile(language: Language, key: string, source: string): HandlebarsTemplateDelegate {
    const cacheKey = `${language}:${key}`;
    let t = compiled.get(cacheKey);
    if (!t) {
      t = store.compileString(env(language), source, COMPILE);
      compiled.set(cacheKey, t);
    }
    return t;
  }

  function compileFile(language: Language, file: string): HandlebarsTemplateDelegate {
    const cacheKey = `${language}:file:${file}`;
    let t = compiled.get(cacheKey);
    if (!t) {
      t = store.compileFile(env(language), file, COMPILE);
      compiled.set(cacheKey, t);
    }
    return t;
  }

  function emailLayout(language: Language): HandlebarsTemplateDelegate {
    const cacheKey = `${language}:layout:email`;
    let t = compiled.get(cacheKey);
    if (!t) {
      t = store.compileFile(env(language), EMAIL_LAYOUT, COMPILE_LAYOUT);
      compiled.set(cacheKey, t);
    }
    return t;
  }

  /** Which file renders a combination, found once per renderer (like the compiled templates: files are static for it). */
  const resolved = new Map<string, { file: string; language: Language }>();
  function resolve(channel: Channel, phase: Phase, tone: Tone, language: Language, variant?: string): { file: string; language: Language } {
    const key = `${channel}|${phase}|${tone}|${language}|${variant ?? ''}`;
    let hit = resolved.get(key);
    if (!hit) {
      hit = findTemplate(channel, phase, tone, language, variant);
      resolved.set(key, hit);
    }
    return { ...hit };
  }
  function findTemplate(channel: Channel, phase: Phase, tone: Tone, language: Language, variant?: string): { file: string; language: Language } {
    const langs: Language[] = language === 'nl' ? ['nl'] : [language, 'nl'];
    for (const lang of langs) {
      for (const name of [...(variant ? [`${phase}.${variant}`] : []), `${phase}.${tone}`, phase, `default.${tone}`, 'default']) {
        const file = `${channel}/${lang}/${name}.hbs`;
        if (store.exists(file)) return { file, language: lang };
      }
    }
    throw new RenderError(`no template for ${channel}/${phase}/${tone} (${language}) in ${store.origin}`);
  }

  /** An arrangement message's own template, when this channel has one (in the language, else in Dutch). */
  const topics = new Map<string, { file: string; language: Language } | undefined>();
  function topicTemplate(channel: Channel, topic: string, language: Language): { file: string; language: Language } | undefined {
    const key = `${channel}|${topic}|${language}`;
    if (!topics.has(key)) topics.set(key, findTopicTemplate(channel, topic, language));
    const hit = topics.get(key);
    return hit && { ...hit };
  }
  function findTopicTemplate(channel: Channel, topic: string, language: Language): { file: string; language: Language } | undefined {
    for (const lang of language === 'nl' ? (['nl'] as const) : ([language, 'nl'] as const)) {
      const file = `${channel}/${lang}/${topic}.hbs`;
      if (store.exists(file)) return { file, language: lang };
    }
    return undefined;
  }

  function label(language: Language, key: string, ctx: object): string {
    const src = labelsOf(language)?.[key];
    if (typeof src !== 'string') throw new RenderError(`labels.json: no ${language}.${key}`);
    return compile(language, `label:${key}`, src)(ctx);
  }

  function contentTemplate(phase: Phase, language: Language): { t: ContentTemplate; language: Language } {
    const byLang = contentTemplates().templates[phase];
    const t = byLang?.[language] ?? byLang?.nl;
    if (!t) throw new RenderError(`content-templates.json: no approved WhatsApp template for ${phase}`);
    return { t, language: byLang?.[language] ? language : 'nl' };
  }

  async function renderMessage(input: RenderInput): Promise<RenderedMessage> {
    validate(input);
    const topicFile = input.topic ? topicTemplate(input.channel, input.topic, input.language) : undefined;
    let id = topicFile ? `${input.channel}/${input.topic}/${input.tone}` : `${input.channel}/${input.phase}/${input.tone}`;

    if (input.channel === 'whatsapp' && input.whatsappWindowOpen !== true && !topicFile) {
      // Outside the 24 h customer-service window only an approved (utility) template may be sent: no free text.
      const { t, language } = contentTemplate(input.phase, input.language);
      const ctx = buildContext(input, language, labelsOf(language));
      const values: Record<string, string> = {
        debtorName: ctx.debtor.name,
        amount: formatMoney(input.totalOutstanding, language),
        references: ctx.referencesShort,
        paymentLink: input.paymentLink,
        agencyName: ctx.agency.name,
        wkiNumber: ctx.agency.wkiNumber,
        agencyPhone: ctx.agency.phone,
      };
      const variables: Record<string, string> = {};
      t.variables.forEach((name, i) => {
        const v = values[name];
        if (v === undefined) throw new RenderError(`content-templates.json: unknown variable ${name}`);
        variables[String(i + 1)] = whatsappVariable(v);
      });
      const text = t.body.replace(/\{\{(\d+)\}\}/g, (m, n: string) => variables[n] ?? m);
      return { template: id, language, text, whatsappTemplate: { contentSid: t.contentSid, variables } };
    }

    const { file, language } = topicFile ?? resolve(input.channel, input.phase, input.tone, input.language, input.variant);
    // a template experiment's variant file reports its own id ("sms/reminder/friendly+named")
    if (!topicFile && input.variant && file.endsWith(`${input.phase}.${input.variant}.hbs`)) id = `${id}+${input.variant}`;
    const ctx = buildContext(input, language, labelsOf(language));
    if ((input.channel === 'letter' || input.channel === 'email') && input.phase === 'fourteen_day_letter' && !input.costNotice) {
      throw new RenderError('the 14-day letter must state the exact cost amount: costNotice is required');
    }
    const rendered = fixDoubleStops(compileFile(language, file)(ctx));

    switch (input.channel) {
      case 'sms': {
        const text = smsText(rendered);
        const info = smsInfo(text);
        return { template: id, language, text, sms: info };
      }
      case 'whatsapp':
        return { template: id, language, text: tidyText(rendered) };
      case 'call':
        return { template: id, language, text: tidyText(rendered) };
      case 'email':
      case 'letter': {
        const { headers, body } = splitFrontMatter(rendered);
        const blocks = parseBlocks(body);
        const layoutLabels: LayoutLabels = {
          reference: label(language, 'reference', ctx),
          description: label(language, 'description', ctx),
          principal: label(language, 'principal', ctx),
          costs: label(language, 'costs', ctx),
          interest: label(language, 'interest', ctx),
          paid: label(language, 'paid', ctx),
          outstanding: label(language, 'outstanding', ctx),
          total: label(language, 'total', ctx),
          payButton: label(language, 'payButton', ctx),
          payOnline: label(language, 'payOnline', ctx),
          transfer: ctx.agency.iban ? label(language, 'transfer', ctx) : '',
        };
        const data: BodyData = {
          claims: ctx.claims,
          totalOutstanding: input.totalOutstanding,
          paymentLink: input.paymentLink,
          money: (c) => formatMoney(c, language),
          labels: layoutLabels,
        };
        const bodyText = blocksToText(blocks, data);
        const wki = label(language, 'wki', ctx);
        const contactLine = label(language, 'contactLine', ctx);
        const footerText = [ctx.agency.name, ctx.agency.address, wki, contactLine].join('\n');

        if (input.channel === 'email') {
          const subject = headers.subject;
          if (!subject) throw new RenderError(`${file}: front matter has no subject`);
          const html = emailLayout(language)({
            language,
            subject,
            preheader: headers.preheader ?? '',
            content: blocksToHtml(blocks, data),
            agency: ctx.agency,
            labels: { wki, contactLine, emailFooter: label(language, 'emailFooter', ctx) },
          });
          return { template: id, language, subject, text: `${bodyText}\n\n--\n${footerText}\n`, html };
        }

        const title = headers.title;
        if (!title) throw new RenderError(`${file}: front matter has no title`);
        const a = input.debtor.address!;
        const recipient = [ctx.debtor.name, oneLine(a.line1), `${oneLine(a.postalCode)}  ${oneLine(a.city)}`];
        if (a.country && !/^(nl|nederland|netherlands|the netherlands)$/i.test(a.country.trim())) {
          recipient.push(oneLine(a.country).toUpperCase());
        }
        const l = labelsOf(language) as Record<string, string>;
        const makePdf = () => renderLetterPdf({
          language,
          now: input.now,
          agency: ctx.agency,
          recipient,
          title,
          blocks,
          body: data,
          labels: {
            date: l.date,
            ourReference: l.ourReference,
            subject: l.subject,
            wki,
            contactLine,
            page: (page, pages) => label(language, 'page', { page, pages }),
          },
          dateText: formatDate(input.now, language),
          referencesText: ctx.references,
        });
        let made: Promise<Buffer> | undefined;
        const pdfLater = () => (made ??= makePdf());
        const lazy = process.env.MAATWERK_LAZY_LETTERS === 'true';
        const pdf = lazy ? undefined : await pdfLater();
        const text = [
          recipient.join('\n'),
          `${l.date}: ${formatDate(input.now, language)}\n${l.ourReference}: ${ctx.references}\n${l.subject}: ${title}`,
          bodyText,
          `--\n${footerText}`,
        ].join('\n\n');
        return { template: id, language, subject: title, text: `${text}\n`, ...(pdf ? { pdf } : { pdfLater }) };
      }
    }
  }

  function listTemplates(): TemplateInfo[] {
    const out: TemplateInfo[] = [];
    for (const channel of CHANNELS) {
      for (const phase of PHASES) {
        for (const tone of TONES) {
          const sources = Object.fromEntries(LANGUAGES.map((lang) => [lang, resolve(channel, phase, tone, lang)])) as TemplateInfo['sources'];
          const info: TemplateInfo = { id: `${channel}/${phase}/${tone}`, channel, phase, tone, sources };
          if (channel === 'whatsapp') {
            info.whatsappContentSid = Object.fromEntries(
              LANGUAGES.map((lang) => [lang, contentTemplate(phase, lang).t.contentSid]),
            ) as Record<Language, string>;
          }
          out.push(info);
        }
      }
    }
    return out;
  }

  return {
    renderMessage,
    listTemplates,
    resolve,
  };
}

let defaultRenderer: Renderer | undefined;
function getDefault(): Renderer {
  defaultRenderer ??= createRenderer(defaultTemplateStore());
  return defaultRenderer;
}

/** Render one message (async: letters are PDFs). Throws RenderError on input a correct message cannot be made from. */
export function renderMessage(input: RenderInput): Promise<RenderedMessage> {
  return getDefault().renderMessage(input);
}

/** Every template id (channel/phase/tone) with the files that render it, for the preview. */
export function listTemplates(): TemplateInfo[] {
  return getDefault().listTemplates();
}

// ---------------------------------------------------------------------------------------------------------------

interface Context {
  channel: Channel;
  phase: Phase;
  tone: Tone;
  language: Language;
  friendly: boolean;
  neutral: boolean;
  firm: boolean;
  isLetter: boolean;
  isEmail: boolean;
  phaseLabel: string;
  toneLabel: string;
  now: Date;
  debtor: { name: string };
  claims: ClaimLine[];
  multiple: boolean;
  references: string;
  referencesShort: string;
  /** "dossier" / "dossiers" (nl), "file" / "files" (en), to go before the references */
  fileWord: string;
  creditors: string;
  multipleCreditors: boolean;
  totalOutstanding: number;
  totalCosts: number;
  totalWithCosts: number;
  paymentLink: string;
  costNotice: { costs: number; vatIncluded: boolean } | null;
  offer: RenderInput['offer'] | null;
  instalment: RenderInput['instalment'] | null;
  respondBy: Date | null;
  /** 'YYYY-MM-DD': the letter's term end, for the messages that follow the 14-day letter */
  termEndDate: string | null;
  agency: Omit<AgencyDetails, 'iban'> & { iban: string | null };
}

function buildContext(input: RenderInput, language: Language, labels: Labels): Context {
  const claims = input.claims.map((c) => ({
    ...c,
    reference: oneLine(c.reference),
    creditorName: oneLine(c.creditorName),
    description: c.description === undefined ? undefined : oneLine(c.description),
  }));
  const refs = claims.map((c) => c.reference);
  const creditorNames = [...new Set(claims.map((c) => c.creditorName))];
  const more = language === 'nl' ? (n: number) => `en ${n} andere` : (n: number) => `and ${n} more`;
  const ag = input.agency;
  return {
    channel: input.channel,
    phase: input.phase,
    tone: input.tone,
    language,
    friendly: input.tone === 'friendly',
    neutral: input.tone === 'neutral',
    firm: input.tone === 'firm',
    isLetter: input.channel === 'letter',
    isEmail: input.channel === 'email',
    phaseLabel: labels.phases[input.phase],
    toneLabel: labels.tones[input.tone],
    now: input.now,
    debtor: { name: oneLine(input.debtor.name) },
    claims,
    multiple: claims.length > 1,
    references: joinList(refs, language),
    fileWord: language === 'nl' ? (refs.length > 1 ? 'dossiers' : 'dossier') : refs.length > 1 ? 'files' : 'file',
    referencesShort: refs.length <= 2 ? joinList(refs, language) : `${refs.slice(0, 2).join(', ')} ${more(refs.length - 2)}`,
    creditors: joinList(creditorNames, language),
    multipleCreditors: creditorNames.length > 1,
    totalOutstanding: input.totalOutstanding,
    totalCosts: claims.reduce((s, c) => s + c.costs, 0),
    totalWithCosts: input.totalOutstanding + (input.costNotice?.costs ?? 0),
    paymentLink: input.paymentLink,
    costNotice: input.costNotice ?? null,
    offer: input.offer ?? null,
    instalment: input.instalment ?? null,
    respondBy: input.respondBy ?? null,
    termEndDate: input.termEndDate ?? null,
    agency: {
      name: oneLine(ag.name),
      wkiNumber: oneLine(ag.wkiNumber),
      phone: oneLine(ag.phone),
      email: oneLine(ag.email),
      website: oneLine(ag.website),
      address: oneLine(ag.address),
      iban: ag.iban ? oneLine(ag.iban) : null,
    },
  };
}

/** "… Incasso B.V.." → "… Incasso B.V." where a name ending in a full stop closes a sentence (not "..."). */
export function fixDoubleStops(text: string): string {
  if (!text.includes('..')) return text;
  return text.replace(/(?<=[\p{L}\d])\.\.(?!\.)/gu, '.');
}

/** Twilio Content variables: non-empty, no newlines or tabs, no more than 4 spaces in a row. */
function whatsappVariable(value: string): string {
  const v = oneLine(value).replace(/[\t\u00a0]/g, ' ').replace(/ {4,}/g, '   ');
  if (!v) throw new RenderError('a WhatsApp template variable is empty');
  return v;
}

function isCalendarDate(v: unknown): boolean {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  return new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;
}

function validate(input: RenderInput): void {
  const fail = (msg: string): never => {
    throw new RenderError(msg);
  };
  if (!CHANNELS.includes(input.channel)) fail(`unknown channel ${String(input.channel)}`);
  if (!PHASES.includes(input.phase)) fail(`unknown phase ${String(input.phase)}`);
  if (!TONES.includes(input.tone)) fail(`unknown tone ${String(input.tone)}`);
  if (!LANGUAGES.includes(input.language)) fail(`unknown language ${String(input.language)}`);
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) fail('now must be a valid Date');
  if (input.respondBy !== undefined && (!(input.respondBy instanceof Date) || Number.isNaN(input.respondBy.getTime()))) {
    fail('respondBy must be a valid Date');
  }
  if (input.termEndDate !== undefined && !isCalendarDate(input.termEndDate)) fail('termEndDate must be a calendar date YYYY-MM-DD');
  if (!oneLine(input.debtor?.name ?? '')) fail('debtor.name is required');
  if (!Array.isArray(input.claims) || input.claims.length === 0) fail('at least one claim is required');
  const cents = (v: unknown, what: string) => {
    if (!Number.isInteger(v)) fail(`${what} must be integer cents`);
  };
  cents(input.totalOutstanding, 'totalOutstanding');
  input.claims.forEach((c, i) => {
    if (!oneLine(c.reference ?? '')) fail(`claims[${i}].reference is required`);
    if (!oneLine(c.creditorName ?? '')) fail(`claims[${i}].creditorName is required`);
    for (const k of ['principal', 'costs', 'paid', 'outstanding'] as const) cents(c[k], `claims[${i}].${k}`);
    if (c.interest !== undefined) cents(c.interest, `claims[${i}].interest`);
  });
  if (input.costNotice) cents(input.costNotice.costs, 'costNotice.costs');
  let url: URL | undefined;
  try {
    url = new URL(input.paymentLink);
  } catch {
    fail('paymentLink must be an absolute URL');
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') fail('paymentLink must be http(s)');
  for (const k of ['name', 'wkiNumber', 'phone', 'email', 'website', 'address'] as const) {
    if (!oneLine(input.agency?.[k] ?? '')) fail(`agency.${k} is required: every message names the agency and how to reach it`);
  }
  if (input.channel === 'letter') {
    const a = input.debtor.address;
    if (!a || !oneLine(a.line1 ?? '') || !oneLine(a.postalCode ?? '') || !oneLine(a.city ?? '')) {
      fail('a letter needs the debtor address (line1, postalCode, city)');
    }
  }
}
