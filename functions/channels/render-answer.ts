/**
 * The answers to debtors' replies (templates/answer/<lang>/<intent>.hbs), rendered for SMS or WhatsApp free text;
 * outside WhatsApp's 24 h window the approved template of templates/answer/whatsapp-templates.json instead.
 * Same Handlebars settings as the journey's templates (strict: a misspelt variable throws), plain text, GSM-7 for
 * SMS (the template test checks every answer), in the debtor's language with Dutch as the fallback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import type { Intent } from '../domain/vocabulary.js';
import type { AgencyDetails, Language, RenderedMessage } from './render-contract.js';
import { formatMoney, joinList, oneLine, tidyText } from './render-format.js';
import { smsInfo, smsText } from './render-sms.js';

/**
 * A payment arrangement in an answer (issue 9, services/conversation.ts arrangementOffer): the options of the offer
 * made with this answer — the debtor replies the number or chooses on the page — or the plan the reply just
 * accepted. Without one the arrangement answer says how to arrange one.
 */
export interface ArrangementOffer {
  /** the options offered (empty once a plan is agreed) */
  options: Array<{ no: number; instalments: number; amount: number }>;
  /** the debtor page (the offer, the instalment to pay) */
  link: string;
  /** the plan the reply accepted: in force */
  accepted?: { option: number; instalments: number; amount: number; firstDue: string };
}

export interface AnswerInput {
  answer: Intent;
  channel: 'sms' | 'whatsapp';
  language: Language;
  now: Date;
  debtorName: string;
  claims: Array<{ reference: string; creditorName: string; principal: number; costs: number; interest?: number; paid: number; outstanding: number }>;
  paymentLink: string;
  agency: AgencyDetails;
  /** promises and requests to pay later: the date named */
  promise?: { date: string; precision: 'day' | 'week' | 'month' };
  /** opt-outs: the channels stopped ('all' for STOPALL) */
  optOuts?: string[];
  /** an agent acts before this (call-backs, vulnerability, unclear replies) */
  agentBy?: Date;
  /** the reply also signalled vulnerability (an opt-out's confirmation says a person looks at it) */
  alsoVulnerable?: boolean;
  /** words of acute distress: the answer names 113 Zelfmoordpreventie */
  distress?: boolean;
  arrangement?: ArrangementOffer;
  /** WhatsApp only: inside the 24 h window free text may be sent */
  whatsappWindowOpen?: boolean;
}

interface ApprovedTemplate {
  contentSid: string;
  variables: string[];
  body: string;
}

/** An answer that cannot be made (a template missing or asking for data that is not there). */
export class AnswerRenderError extends Error {
  override readonly name = 'AnswerRenderError';
}
const RenderError = AnswerRenderError;

/** Not imported from render.ts: that module brings the PDF renderer, which the webhook function does not need. */
const defaultTemplatesDir = () => process.env.MAATWERK_TEMPLATES_DIR ?? fileURLToPath(new URL('../../templates/', import.meta.url));
const fixDoubleStops = (text: string) => text.replace(/(?<=[\p{L}\d])\.\.(?!\.)/gu, '.');

const COMPILE = { noEscape: true, strict: true, ignoreStandalone: true } as const;
const CHANNEL_LABEL: Record<Language, Record<string, string>> = {
  nl: { sms: 'sms', whatsapp: 'WhatsApp-berichten', call: 'telefoontjes', email: 'e-mails', letter: 'brieven' },
  en: { sms: 'text messages', whatsapp: 'WhatsApp messages', call: 'phone calls', email: 'emails', letter: 'letters' },
};

const cache = new Map<string, HandlebarsTemplateDelegate>();
let approved: Record<Language, ApprovedTemplate> | undefined;

function env(language: Language): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('money', (cents: unknown) => formatMoney(Number(cents), language));
  // "24 maart 2026" / "24 March 2026": a plan's due date (never a term: no "uiterlijk"/"by" before it)
  hb.registerHelper('date', (iso: unknown) => DateTime.fromISO(String(iso), { zone: 'Europe/Amsterdam' }).setLocale(language === 'nl' ? 'nl' : 'en-GB').toFormat('d MMMM yyyy'));
  return hb;
}

function template(dir: string, answer: Intent, language: Language): { t: HandlebarsTemplateDelegate; language: Language } {
  for (const lang of language === 'nl' ? (['nl'] as const) : ([language, 'nl'] as const)) {
    const file = join(dir, 'answer', lang, `${answer}.hbs`);
    const key = `${dir}:${file}`;
    const hit = cache.get(key);
    if (hit) return { t: hit, language: lang };
    if (!existsSync(file)) continue;
    const t = env(lang).compile(readFileSync(file, 'utf8'), COMPILE);
    cache.set(key, t);
    return { t, language: lang };
  }
  throw new RenderError(`no answer template for ${answer} (${language})`);
}

/** "vrijdag 6 maart" / "Friday 6 March" (Europe/Amsterdam). */
function dayText(d: DateTime, language: Language): string {
  return d.setLocale(language === 'nl' ? 'nl' : 'en-GB').toFormat('cccc d MMMM');
}

/** How a promised date reads in a sentence: "op vrijdag 6 maart", "uiterlijk zondag 15 maart", "in april". */
export function promiseText(p: NonNullable<AnswerInput['promise']>, language: Language): string {
  const d = DateTime.fromISO(p.date, { zone: 'Europe/Amsterdam' });
  if (p.precision === 'month') return `${language === 'nl' ? 'in' : 'in'} ${d.setLocale(language === 'nl' ? 'nl' : 'en-GB').toFormat('MMMM')}`;
  if (p.precision === 'week') return `${language === 'nl' ? 'uiterlijk' : 'by'} ${dayText(d, language)}`;
  return `${language === 'nl' ? 'op' : 'on'} ${dayText(d, language)}`;
}

export function renderAnswer(input: AnswerInput, templatesDir = defaultTemplatesDir()): RenderedMessage {
  const id = `answer/${input.answer}`;
  if (input.channel === 'whatsapp' && input.whatsappWindowOpen !== true) return approvedTemplate(input, id, templatesDir);
  const { t, language } = template(templatesDir, input.answer, input.language);
  const refs = input.claims.map((c) => oneLine(c.reference));
  const optOuts = input.optOuts ?? [];
  const ctx = {
    language,
    debtor: { name: oneLine(input.debtorName) },
    agency: Object.fromEntries(Object.entries(input.agency).map(([k, v]) => [k, oneLine(String(v))])),
    claims: input.claims.map((c) => ({ ...c, interest: c.interest ?? 0, reference: oneLine(c.reference), creditorName: oneLine(c.creditorName) })),
    references: joinList(refs, language),
    referencesShort: refs.length <= 2 ? joinList(refs, language) : `${refs.slice(0, 2).join(', ')} ${language === 'nl' ? 'en' : 'and'} ${refs.length - 2} ${language === 'nl' ? 'andere' : 'more'}`,
    fileWord: language === 'nl' ? (refs.length > 1 ? 'dossiers' : 'dossier') : refs.length > 1 ? 'files' : 'file',
    creditors: joinList([...new Set(input.claims.map((c) => oneLine(c.creditorName)))], language),
    totalOutstanding: input.claims.reduce((s, c) => s + c.outstanding, 0),
    paymentLink: input.paymentLink,
    promise: input.promise ? { text: promiseText(input.promise, language), date: input.promise.date } : null,
    all: optOuts.includes('all'),
    channelLabel: joinList(optOuts.filter((c) => c !== 'all').map((c) => CHANNEL_LABEL[language][c] ?? c), language),
    agentBy: input.agentBy ? dayText(DateTime.fromJSDate(input.agentBy, { zone: 'Europe/Amsterdam' }), language) : null,
    alsoVulnerable: input.alsoVulnerable === true,
    distress: input.distress === true,
    arrangement: input.arrangement ?? null,
    /** the offer's options (arrangement and cannot_pay answers) */
    offer: input.arrangement?.options.length ? input.arrangement : null,
    /** the plan the reply accepted */
    agreed: input.arrangement?.accepted ? { ...input.arrangement.accepted, link: input.arrangement.link } : null,
  };
  let rendered: string;
  try {
    rendered = fixDoubleStops(t(ctx));
  } catch (err) {
    throw new RenderError(`${id} (${language}): ${(err as Error).message}`);
  }
  if (input.channel === 'sms') {
    const text = smsText(rendered);
    return { template: id, language, text, sms: smsInfo(text) };
  }
  return { template: id, language, text: tidyText(rendered) };
}

/** Outside the WhatsApp window: the approved utility template that asks the debtor to reply or call. */
function approvedTemplate(input: AnswerInput, id: string, dir: string): RenderedMessage {
  approved ??= JSON.parse(readFileSync(join(dir, 'answer', 'whatsapp-templates.json'), 'utf8')).templates as Record<Language, ApprovedTemplate>;
  const language: Language = approved[input.language] ? input.language : 'nl';
  const tpl = approved[language];
  const values: Record<string, string> = {
    debtorName: oneLine(input.debtorName),
    agencyName: oneLine(input.agency.name),
    wkiNumber: oneLine(input.agency.wkiNumber),
    agencyPhone: oneLine(input.agency.phone),
  };
  const variables: Record<string, string> = {};
  tpl.variables.forEach((name, i) => {
    const v = values[name];
    if (!v) throw new RenderError(`answer/whatsapp-templates.json: unknown or empty variable ${name}`);
    variables[String(i + 1)] = v;
  });
  const text = tpl.body.replace(/\{\{(\d+)\}\}/g, (m, n: string) => variables[n] ?? m);
  return { template: id, language, text, whatsappTemplate: { contentSid: tpl.contentSid, variables } };
}
