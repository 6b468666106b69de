/**
 * The simulated debtors: who they are (from the population file) and what they do after a contact. Pure and
 * seeded: the same seed, debtor index and step give the same debtor and the same reactions, so a simulation is
 * deterministic for its seed (whatever the order in which the engine happens to run things at one instant).
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { unitHash } from '../../../functions/domain/experiments/assign.js';
import { type CorpusEntry, isHeldOut } from '../../../functions/domain/intents/corpus.js';
import { type Intent, type Phase, type Tone } from '../../../functions/domain/vocabulary.js';
import { type Effect, INCOME_TYPES, type Population, type PopulationSegment } from './population-schema.js';

export type Rng = () => number;

/** A generator seeded by the parts. */
export function rngFor(...parts: Array<string | number>): Rng {
  const g = xoroshiro128plus(Math.floor(unitHash(...parts.map(String)) * 2 ** 31));
  return () => uniformFloat64(g);
}

function pick<T extends string>(rng: Rng, weights: Partial<Record<T, number>>): T {
  const entries = Object.entries(weights).filter(([, w]) => (w as number) > 0) as Array<[T, number]>;
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = rng() * total;
  for (const [k, w] of entries) {
    u -= w;
    if (u < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/** Box–Muller from two uniforms. */
function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export interface SimDebtor {
  index: number;
  reference: string;
  segment: PopulationSegment;
  clientId: string;
  principal: number;
  dueDate: string;
  income: (typeof INCOME_TYPES)[number];
  /** the day of the month the money comes (undefined: unknown income) */
  payday?: number;
  name: string;
  email?: string;
  phone?: string;
  whatsappOptIn: boolean;
  address?: { line1: string; postalCode: string; city: string };
  /** arrives (the claim is handed over) at */
  arrivesAt: number;
  /** pays without any contact at (undefined: never) */
  selfCureAt?: number;
}

const PAYDAY: Record<(typeof INCOME_TYPES)[number], number | undefined> = { salary: 25, aow: 23, toeslagen: 20, uwv: 21, bijstand: 1, unknown: undefined };
const FIRST = ['Sam', 'Noa', 'Daan', 'Lotte', 'Milan', 'Emma', 'Bram', 'Julia', 'Finn', 'Sara', 'Luuk', 'Tess'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters'];

export function makeDebtor(pop: Population, seed: number, index: number, arrivesAt: number, endsAt: number): SimDebtor {
  const rng = rngFor(seed, 'debtor', index);
  const segment = pop.segments[pickIndex(rng, pop.segments.map((s) => s.share))]!;
  const client = pop.clients[pickIndex(rng, pop.clients.map((c) => c.share))]!;
  const a = segment.amounts;
  const principal = Math.round(Math.min(a.maxCents, Math.max(a.minCents, a.medianCents * Math.exp(a.spread * normal(rng)))));
  const income = pick(rng, segment.income);
  const hasPhone = rng() < segment.channels.phone;
  const ch = segment.channels;
  const email = rng() < ch.email ? `debtor${index}@example.invalid` : undefined;
  const address = rng() < ch.address || (!email && !hasPhone) ? { line1: `Simulatiestraat ${index + 1}`, postalCode: `${1000 + (index % 8999)} AB`, city: 'Utrecht' } : undefined;
  const dueDaysBefore = 10 + Math.floor(rng() * 30);
  const selfCure = rng() < segment.behaviour.selfCure ? arrivesAt + rng() * (endsAt - arrivesAt) : undefined;
  return {
    index,
    reference: `SIM-${index + 1}`,
    segment,
    clientId: client.id,
    principal,
    dueDate: new Date(arrivesAt - dueDaysBefore * 86_400_000).toISOString().slice(0, 10),
    income,
    payday: PAYDAY[income],
    name: `${FIRST[index % FIRST.length]} ${LAST[Math.floor(index / FIRST.length) % LAST.length]} ${index + 1}`,
    ...(email ? { email } : {}),
    ...(hasPhone ? { phone: `+3161${String(index).padStart(7, '0')}` } : {}),
    whatsappOptIn: hasPhone && rng() < ch.whatsappOptIn,
    ...(address ? { address } : {}),
    arrivesAt,
    ...(selfCure !== undefined ? { selfCureAt: selfCure } : {}),
  };
}

function pickIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let u = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** The contact as the debtor sees it. */
export interface SeenContact {
  channel: 'email' | 'sms' | 'whatsapp' | 'letter';
  phase: Phase;
  tone: Tone;
  /** a template experiment's variant, if any */
  template?: string;
  at: number;
  stepNo: number;
}

/** "sms/reminder/friendly+named" → its parts. */
export function parseTemplate(id: string): { phase: Phase; tone: Tone; variant?: string } {
  const [main, variant] = id.split('+');
  const [, phase, tone] = main!.split('/');
  return { phase: phase as Phase, tone: tone as Tone, ...(variant ? { variant } : {}) };
}

/** "payday" when the contact falls in the 5 days from the debtor's payday (Europe/Amsterdam date, roughly UTC+1). */
export function timingOf(d: Pick<SimDebtor, 'payday'>, at: number): 'payday' | 'other' {
  if (d.payday === undefined) return 'other';
  const day = new Date(at + 3_600_000).getUTCDate();
  const since = (day - d.payday + 31) % 31;
  return since < 5 ? 'payday' : 'other';
}

const matches = (e: Effect, c: SeenContact, timing: 'payday' | 'other') => {
  const w = e.when;
  if (w.tone && w.tone !== c.tone) return false;
  if (w.channel && w.channel !== c.channel) return false;
  if (w.phase && !(Array.isArray(w.phase) ? w.phase : [w.phase]).includes(c.phase)) return false;
  if (w.timing && w.timing !== timing) return false;
  if (w.template && w.template !== c.template) return false;
  return true;
};

export interface Chances {
  react: number;
  promise: number;
  arrange: number;
  pay: number;
}

/** The chances after a contact: the segment's, multiplied by every matching effect. */
export function chancesFor(pop: Population, d: SimDebtor, c: SeenContact): Chances {
  const b = d.segment.behaviour;
  const out: Chances = { react: b.react, promise: b.promise, arrange: b.arrange, pay: b.pay };
  const timing = timingOf(d, c.at);
  for (const e of pop.effects) {
    if (!matches(e, c, timing)) continue;
    for (const k of ['react', 'promise', 'arrange', 'pay'] as const) if (e[k] !== undefined) out[k] *= e[k]!;
  }
  for (const k of ['react', 'promise', 'arrange', 'pay'] as const) out[k] = Math.min(1, out[k]);
  return out;
}

export type Reaction =
  | { kind: 'pay'; at: number }
  | { kind: 'reply'; at: number; text: string; intent: ReplyKind }
  | { kind: 'open'; at: number };

/** What a simulated debtor means by a reply. */
export type ReplyKind = 'promise' | 'arrangement' | 'question';

/** What simulated debtors write, per kind of reply (they reply in Dutch). */
export type ReplyTexts = Readonly<Record<ReplyKind, readonly string[]>>;

/** The intents the classifier should find in each kind of reply (the simulator counts how often it does). */
export const REPLY_INTENTS: Readonly<Record<ReplyKind, readonly Intent[]>> = {
  promise: ['promise_to_pay'],
  arrangement: ['arrangement'],
  question: ['who_are_you', 'amount_question'],
};

/**
 * The texts simulated debtors reply with: the held-out Dutch replies of the classifier's corpus (the model never
 * trained on them) whose only intent is one of the kind's — so a simulation meets the classifier as it does real
 * replies, misreadings included, and the conversation (answers, agent tasks, promise dates) runs as it would.
 */
export function replyTextsFrom(corpus: readonly CorpusEntry[]): ReplyTexts {
  const of = (kind: ReplyKind) => corpus.filter((e) => e.l === 'nl' && !e.a?.length && REPLY_INTENTS[kind].includes(e.i) && isHeldOut(e)).map((e) => e.t);
  const texts = { promise: of('promise'), arrangement: of('arrangement'), question: of('question') };
  for (const [k, v] of Object.entries(texts)) if (v.length === 0) throw new Error(`the corpus has no held-out Dutch ${k} replies for the simulator`);
  return texts;
}

/** A time in the debtor's waking hours, rounded to half an hour (fewer distinct instants for the engine). */
function awake(t: number, rng: Rng): number {
  const day = Math.floor(t / 86_400_000) * 86_400_000;
  let at = day + (8 + rng() * 12) * 3_600_000;
  if (at < t) at += 86_400_000;
  return Math.ceil(at / 1_800_000) * 1_800_000;
}

/** What the debtor does after a contact (the reactions, each at its moment). */
export function reactionsTo(pop: Population, d: SimDebtor, c: SeenContact, seed: number, texts: ReplyTexts): Reaction[] {
  const rng = rngFor(seed, 'contact', d.index, c.stepNo);
  // the words are drawn apart from the behaviour, so the texts never change what a debtor does
  const words = rngFor(seed, 'words', d.index, c.stepNo);
  const say = (kind: ReplyKind) => texts[kind][Math.floor(words() * texts[kind].length)]!;
  const p = chancesFor(pop, d, c);
  const b = d.segment.behaviour;
  const canReply = d.phone !== undefined;
  const out: Reaction[] = [];
  const u = rng();
  const delay = () => (b.payDelayDays.min + rng() * (b.payDelayDays.max - b.payDelayDays.min)) * 86_400_000;
  const soon = awake(c.at + rng() * 6 * 3_600_000, rng);
  if (u < p.pay) {
    if (c.channel === 'email') out.push({ kind: 'open', at: soon });
    out.push({ kind: 'pay', at: awake(c.at + delay(), rng) });
  } else if (u < p.pay + p.promise) {
    if (canReply) out.push({ kind: 'reply', at: soon, text: say('promise'), intent: 'promise' });
    if (rng() < b.keepPromise) out.push({ kind: 'pay', at: awake(c.at + (3 + rng() * 5) * 86_400_000, rng) });
  } else if (u < p.pay + p.promise + p.arrange) {
    if (canReply) out.push({ kind: 'reply', at: soon, text: say('arrangement'), intent: 'arrangement' });
    if (rng() < b.keepPromise) out.push({ kind: 'pay', at: awake(c.at + (10 + rng() * 10) * 86_400_000, rng) });
  } else if (u < p.pay + p.promise + p.arrange + p.react) {
    if (c.channel === 'email') out.push({ kind: 'open', at: soon });
    else if ((c.channel === 'sms' || c.channel === 'whatsapp') && rng() < 0.5) out.push({ kind: 'reply', at: soon, text: say('question'), intent: 'question' });
  }
  return out;
}
