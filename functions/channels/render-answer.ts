/**
 * The answers to debtors' replies (templates/answer/<lang>/<intent>.hbs), rendered for SMS or WhatsApp free text;
 * outside WhatsApp's 24 h window the approved template of templates/answer/whatsapp-templates.json instead.
 * Same Handlebars settings as the journey's templates (strict: a misspelt variable throws), plain text, GSM-7 for
 * SMS (the template test checks every answer), in the debtor's language with Dutch as the fallback.
 *
 * The templates come from a TemplateStore: the templates folder locally (template-store.ts), and in the Deliveries
 * function the answers precompiled into its bundle (infra/build/templates.ts, through answerCompileUnits below).
 * Dates are written with Intl in Europe/Amsterdam ("vrijdag 6 maart", "Friday 6 March").
 */
import { LANGUAGES, type Intent } from '../domain/vocabulary.js';
import type { AgencyDetails, Language, RenderedMessage } from './render-contract.js';
import { formatDate, formatMoney, joinList, oneLine, tidyText } from './render-format.js';
import { smsInfo, smsText } from './render-sms.js';
import { type CompileOptions, defaultTemplateStore, fileTemplateStore, type HandlebarsEnv, type TemplateStore } from './template-store.js';

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

const fixDoubleStops = (text: string) => text.replace(/(?<=[\p{L}\d])\.\.(?!\.)/gu, '.');

/** `money` and `date` are the answers' helpers; declared as the only ones, as the journey's templates do (render.ts). */
const COMPILE: CompileOptions = { noEscape: true, strict: true, ignoreStandalone: true, knownHelpers: { money: true, date: true }, knownHelpersOnly: true };
const APPROVED_TEMPLATES = 'answer/whatsapp-templates.json';
const CHANNEL_LABEL: Record<Language, Record<string, string>> = {
  nl: { sms: 'sms', whatsapp: 'WhatsApp-berichten', call: 'telefoontjes', email: 'e-mails', letter: 'brieven' },
  en: { sms: 'text messages', whatsapp: 'WhatsApp messages', call: 'phone calls', email: 'emails', letter: 'letters' },
};

const answerFile = (language: Language, answer: string) => `answer/${language}/${answer}.hbs`;

/** Every compilation renderAnswer can ask for, for the build to precompile: each answer template of each language. */
export function answerCompileUnits(store: TemplateStore, readSource: (file: string) => string): Array<{ file: string; source: string; options: CompileOptions }> {
  return LANGUAGES.flatMap((language) =>
    store
      .list(`answer/${language}`)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => {
        const file = `answer/${language}/${f}`;
        return { file, source: readSource(file), options: COMPILE };
      }),
  );
}

/** The data files renderAnswer reads. */
export const ANSWER_DATA_FILES: readonly string[] = [APPROVED_TEMPLATES];

interface AnswerTemplates {
  store: TemplateStore;
  envs: Map<Language, HandlebarsEnv>;
  compiled: Map<string, HandlebarsTemplateDelegate>;
  approved?: Record<Language, ApprovedTemplate>;
}
const stores = new WeakMap<TemplateStore, AnswerTemplates>();
const dirStores = new Map<string, TemplateStore>();

function answerTemplates(templates: string | TemplateStore | undefined): AnswerTemplates {
  let store: TemplateStore;
  if (templates === undefined) store = defaultTemplateStore();
  else if (typeof templates === 'string') {
    store = dirStores.get(templates) ?? fileTemplateStore(templates);
    dirStores.set(templates, store);
  } else store = templates;
  let t = stores.get(store);
  if (!t) stores.set(store, (t = { store, envs: new Map(), compiled: new Map() }));
  return t;
}

function env(t: AnswerTemplates, language: Language): HandlebarsEnv {
  let hb = t.envs.get(language);
  if (!hb) {
    hb = t.store.env();
    hb.registerHelper('money', (cents: unknown) => formatMoney(Number(cents), language));
    // "24 maart 2026" / "24 March 2026": a plan's due date (never a term: no "uiterlijk"/"by" before it)
    hb.registerHelper('date', (value: unknown) => formatDate(value as Date | string, language));
    t.envs.set(language, hb);
  }
  return hb;
}

function template(t: AnswerTemplates, answer: Intent, language: Language): { t: HandlebarsTemplateDelegate; language: Language } {
  for (const lang of language === 'nl' ? (['nl'] as const) : ([language, 'nl'] as const)) {
    const file = answerFile(lang, answer);
    const hit = t.compiled.get(file);
    if (hit) return { t: hit, language: lang };
    if (!t.store.exists(file)) continue;
    const compiled = t.store.compileFile(env(t, lang), file, COMPILE);
    t.compiled.set(file, compiled);
    return { t: compiled, language: lang };
  }
  throw new RenderError(`no answer template for ${answer} (${language})`);
}

const DAY_TEXT: Record<Language, Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl', { timeZone: 'Europe/Amsterdam', weekday: 'long', day: 'numeric', month: 'long' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'long', day: 'numeric', month: 'long' }),
};
const MONTH_TEXT: Record<Language, Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl', { timeZone: 'UTC', month: 'long' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long' }),
};

/** "vrijdag 6 maart" / "Friday 6 March": the day an instant falls on in Europe/Amsterdam. */
function dayText(at: Date, language: Language): string {
  return DAY_TEXT[language].format(at);
}

/** A calendar date (YYYY-MM-DD) as an instant inside that day in Europe/Amsterdam (noon UTC is, all year). */
const middayOf = (date: string) => new Date(`${date}T12:00:00Z`);

/** How a promised date reads in a sentence: "op vrijdag 6 maart", "uiterlijk zondag 15 maart", "in april". */
export function promiseText(p: NonNullable<AnswerInput['promise']>, language: Language): string {
  const d = middayOf(p.date);
  if (p.precision === 'month') return `in ${MONTH_TEXT[language].format(d)}`;
  if (p.precision === 'week') return `${language === 'nl' ? 'uiterlijk' : 'by'} ${dayText(d, language)}`;
  return `${language === 'nl' ? 'op' : 'on'} ${dayText(d, language)}`;
}

/**
 * The answer to a reply. `templates`: a templates folder or a TemplateStore; by default the store of this build
 * (the folder locally, the precompiled answers in a Lambda bundle).
 */
export function renderAnswer(input: AnswerInput, templates?: string | TemplateStore): RenderedMessage {
  const id = `answer/${input.answer}`;
  const store = answerTemplates(templates);
  if (input.channel === 'whatsapp' && input.whatsappWindowOpen !== true) return approvedTemplate(input, id, store);
  const { t, language } = template(store, input.answer, input.language);
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
    agentBy: input.agentBy ? dayText(input.agentBy, language) : null,
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
function approvedTemplate(input: AnswerInput, id: string, t: AnswerTemplates): RenderedMessage {
  const approved = (t.approved ??= JSON.parse(t.store.readData(APPROVED_TEMPLATES)).templates as Record<Language, ApprovedTemplate>);
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
