/**
 * Decide with the strategy (it replaced the walking skeleton's fixed sequence). Same Decision shape (send / wait / done),
 * plus the segment, its reasons and the collection costs Decide should write. Pure: no AWS, `now` is input.now.
 *
 * Order of rules
 *  1. Stops (DESIGN §5 rule 10): a debt-relief flag (debt_help_reported, schuldhulp, wsnp, moratorium) or a
 *     reply reporting debt help → done 'referred to debt help', no outreach and no costs. No open dossier left
 *     (paid, paused, withdrawn, closed) → done 'no open dossiers left'.
 *  2. Segment (segmentation.ts) → the segment's phases from the strategy. Businesses skip the 14-day letter;
 *     `allowHandover: false`, cannot_pay and vulnerable never hand over.
 *  3. Where the journey is, from the history: this journey's contacts ('sent' and 'call_task' events after the
 *     previous 'journey_ended', or those tagged with data.journeyNo) and their phase (data.phase, else the
 *     template id "<channel>/<phase>/<tone>" in data.template or e.template, else replayed from the strategy).
 *     The journey's phase is the highest phase contacted; it never goes back.
 *  4. The next contact: the first phase of the segment at or after the journey's phase that still has contacts
 *     left (maxContacts) and a usable channel. When the segment's phases stop before the journey's phase and the
 *     segment changed during this journey (e.g. a "kan niet betalen" reply), its last phase is used again — the
 *     debtor gets that phase's messages and tone, the journey does not escalate further. When nothing is left the
 *     journey ends after the last phase's escalateAfterDays: handed over after a handover phase, else with the
 *     segment's end reason (cannot_pay: 'referred to debt help').
 *  5. Vulnerable: moving to a later phase needs a person: unless an agent completed a call since the current
 *     phase began, the next step is a call task (at most two; then done 'needs a human decision').
 *  6. Consumers: no demand, final notice or hand-over for a dossier before its 14-day letter (letter channel,
 *     phase fourteen_day_letter) and before receipt + 15 days; a claim that joins later gets its own letter first.
 *  7. Timing: the due moment (cadence, escalation delay, 14-day term, promise grace, frequency cap) is turned into
 *     a contact moment: payday timing (payday.ts) when the phase asks for it and the payday moment is close
 *     enough, else the first allowed moment (calendar.ts: 07:00–20:00 ∩ the strategy's window, no Sundays, no Atw
 *     holidays; no lean days around the 10th when the strategy lists them). Later than now → wait with the rule in
 *     the reasons; due and allowed now → send now.
 *  8. Channel: the phase's order (rotated per contact when `rotate`), then `fallback`; never an opted-out or
 *     unusable channel, WhatsApp only with opt-in, not the channel that just failed.
 *  9. Costs (consumers): per creditor and 14-day letter, costs.ts costsDue on the claims' sum once the term has
 *     passed (payments inside the term lower the base), shared over the dossiers by remaining principal;
 *     returned only where they differ from what the dossier holds. Payments are read from 'payment' events with
 *     data { amount, dossierId, paidAt? }; a paid amount the history cannot date counts from the earliest
 *     undescribed payment event (or the letter) — the reading most favourable to the debtor. No VAT (the
 *     DecisionInput does not say whether the client can deduct it).
 * 10. nextDecisionAt of a send is the moment the next step would be due if nothing happens: the decision is run
 *     once more on the history with this send appended, so the journey wakes exactly then (no extra Await).
 *
 * What the history should carry (all optional, read defensively): on 'sent'/'call_task' the template id
 * (data.template or a top-level `template`) or data.phase, and the dossierIds; data.journeyNo where known.
 */
import { DateTime } from 'luxon';
import type { Channel, Phase, Tone } from '../channels/render-contract.js';
import { type ContactWindow, ZONE, addDays, dateParts, effectiveWindow, isContactAllowed, localDate, localInstant, nextContactMoment } from './calendar.js';
import { type Payment, costsDue } from './costs.js';
import type { Decision, DecisionInput, DossierFacts, HistoryEvent } from './decision.js';
import { type IncomeSource, IncomeSourceSchema, contactMomentAfterPayday } from './payday.js';
import { DEBT_RELIEF_FLAGS, type Segment, euro, intentOf, isContact, orderedHistory, outcomeOf, segmentWithEvidence } from './segmentation.js';
import { DEFAULT_MAX_PAYDAY_WAIT_DAYS, PHASES, type PhaseSpec, type Strategy, phaseIndex, toneFor } from './strategy.js';

export interface CostUpdate {
  dossierId: string;
  /** the collection costs the dossier should now carry, integer cents */
  costs: number;
  reason: string;
}

export type StrategyDecision = Decision & { segment: Segment; segmentReasons: string[]; costs?: CostUpdate[] };

const DAY = 86_400_000;
const LETTER_PHASE = phaseIndex('fourteen_day_letter');
/** How many call tasks a vulnerable debtor's escalation waits for before the journey stops for a person. */
export const VULNERABLE_MAX_CALL_TASKS = 2;

/** A contact of the debtor, with its phase resolved. */
interface Contact {
  at: number;
  iso: string;
  channel: Channel;
  phase?: Phase;
  tone?: Tone;
  stepNo?: number;
  dossierIds?: string[];
}

type LooseEvent = HistoryEvent & { template?: string; tone?: string; dossierIds?: string[] };

const isPhase = (v: unknown): v is Phase => typeof v === 'string' && (PHASES as readonly string[]).includes(v);
const isChannel = (v: unknown): v is Channel => v === 'email' || v === 'sms' || v === 'whatsapp' || v === 'letter' || v === 'call';
const isTone = (v: unknown): v is Tone => v === 'friendly' || v === 'neutral' || v === 'firm';
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

function toContact(e: HistoryEvent): Contact {
  const le = e as LooseEvent;
  const template = typeof e.data?.template === 'string' ? e.data.template : le.template;
  const parts = typeof template === 'string' ? template.split('/') : [];
  const phase = isPhase(e.data?.phase) ? e.data.phase : isPhase(parts[1]) ? parts[1] : undefined;
  const toneRaw = e.data?.tone ?? le.tone ?? parts[2];
  const channel = isChannel(e.channel) ? e.channel : e.type === 'call_task' ? 'call' : isChannel(parts[0]) ? parts[0] : 'letter';
  return {
    at: Date.parse(e.at),
    iso: e.at,
    channel,
    phase,
    tone: isTone(toneRaw) ? toneRaw : undefined,
    stepNo: e.stepNo,
    dossierIds: strings(e.data?.dossierIds) ?? strings(le.dossierIds),
  };
}

function fmt(at: Date | number): string {
  return DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** `days` calendar days later at the same Europe/Amsterdam wall-clock time (DST-proof). */
function laterDays(at: number, days: number): number {
  return DateTime.fromMillis(at, { zone: ZONE }).plus({ days }).toMillis();
}

// ---------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------

/** Why a channel cannot be used for this debtor now, or undefined when it can. */
export function channelProblem(channel: Channel, d: DecisionInput['debtor'], failed: ReadonlySet<Channel> = new Set()): string | undefined {
  if (d.optOuts.includes('all')) return 'opted out of all channels';
  if (d.optOuts.includes(channel)) return 'opted out';
  if (failed.has(channel)) return 'failed on the last attempt';
  switch (channel) {
    case 'email':
      if (!d.hasEmail) return 'no email address';
      return d.unusable.includes('email') ? 'email address unusable' : undefined;
    case 'sms':
    case 'call':
      if (!d.hasPhone) return 'no phone number';
      return d.unusable.includes('phone') ? 'phone number unusable' : undefined;
    case 'whatsapp':
      if (!d.hasPhone) return 'no phone number';
      if (!d.whatsappOptIn) return 'no WhatsApp opt-in';
      return d.unusable.includes('phone') ? 'phone number unusable' : undefined;
    case 'letter':
      if (!d.hasAddress) return 'no postal address';
      return d.unusable.includes('address') ? 'postal address unusable' : undefined;
  }
}

interface ChannelChoice {
  channel?: Channel;
  reasons: string[];
}

function chooseChannel(order: readonly Channel[], d: DecisionInput['debtor'], failed: ReadonlySet<Channel>): ChannelChoice {
  const reasons: string[] = [];
  for (const c of order) {
    const problem = channelProblem(c, d, failed);
    if (!problem) return { channel: c, reasons };
    reasons.push(`${c} skipped: ${problem}`);
  }
  return { reasons };
}

/** The channel order for contact `contactNo` (0-based) of a phase. */
function channelOrder(spec: PhaseSpec, contactNo: number, d: DecisionInput['debtor'], failed: ReadonlySet<Channel>, mode: 'normal' | 'letter' | 'no-letter'): Channel[] {
  if (mode === 'letter') return ['letter'];
  const strip = (l: readonly Channel[]) => (mode === 'no-letter' ? l.filter((c) => c !== 'letter') : [...l]);
  const primary = strip(spec.channels);
  const fallback = strip(spec.fallback);
  if (!spec.rotate) return [...primary, ...fallback];
  const usable = primary.filter((c) => !channelProblem(c, d, failed));
  if (usable.length === 0) return [...primary, ...fallback];
  const k = contactNo % usable.length;
  // the unusable ones first, so the reasons say why they were passed over
  return [...primary.filter((c) => !usable.includes(c)), ...usable.slice(k), ...usable.slice(0, k), ...fallback];
}

// ---------------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------------

function windowFor(strategy: Strategy, spec?: PhaseSpec): ContactWindow {
  const g = effectiveWindow(strategy.contactWindow);
  if (!spec?.contactWindow) return g;
  return effectiveWindow({ startHour: Math.max(g.startHour, spec.contactWindow.startHour), endHour: Math.min(g.endHour, spec.contactWindow.endHour) });
}

function hhmm(h: number): string {
  const m = Math.round(h * 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function movedText(reason: string, w: ContactWindow): string {
  if (reason === 'night') return 'no contact between 20:00 and 07:00 (Bki art. 4.2)';
  if (reason === 'outside-window') return `outside the strategy's contact window ${hhmm(w.startHour)}–${hhmm(w.endHour)}`;
  if (reason === 'sunday') return 'no contact on Sundays';
  if (reason.startsWith('holiday:')) return `no contact on ${reason.slice(8)} (Algemene termijnenwet)`;
  return reason;
}

function isLean(date: string, strategy: Strategy): boolean {
  const lean = strategy.leanDays;
  if (!lean) return false;
  const { day } = dateParts(date);
  return day >= lean.from && day <= lean.to;
}

/** The first allowed instant ≥ t: contact hours and days, the strategy's window and its lean days. */
function firstAllowed(t: Date, w: ContactWindow, strategy: Strategy): { at: Date; reasons: string[] } {
  const reasons: string[] = [];
  let from = t;
  for (let i = 0; i < 40; i++) {
    const m = nextContactMoment(from, w);
    for (const r of m.reasons) {
      const text = movedText(r, w);
      if (!reasons.includes(text)) reasons.push(text);
    }
    const d = localDate(m.at);
    if (!isLean(d, strategy)) return { at: m.at, reasons };
    const lean = strategy.leanDays!;
    const text = `no contact on the lean days around the 10th (day ${lean.from}–${lean.to} of the month)`;
    if (!reasons.includes(text)) reasons.push(text);
    from = localInstant(addDays(d, lean.to - dateParts(d).day + 1), w.startHour);
  }
  throw new Error('no allowed contact moment found');
}

function incomeOf(d: DecisionInput['debtor']): IncomeSource {
  const r = IncomeSourceSchema.safeParse(d.incomeSource);
  return r.success ? r.data : { type: 'unknown' };
}

/** The contact moment for a contact due at `due`. Independent of `now`, so a wait ends in a send. */
function schedule(due: Date, spec: PhaseSpec, input: DecisionInput, strategy: Strategy): { at: Date; reasons: string[] } {
  const w = windowFor(strategy, spec);
  const reasons: string[] = [];
  if (spec.timing === 'payday') {
    const max = spec.maxPaydayWaitDays ?? DEFAULT_MAX_PAYDAY_WAIT_DAYS;
    const pc = contactMomentAfterPayday(incomeOf(input.debtor), due, {
      window: w,
      urgent: !strategy.leanDays,
      ...(strategy.leanDays ? { leanDays: strategy.leanDays } : {}),
    });
    const waitDays = (pc.at.getTime() - due.getTime()) / DAY;
    if (waitDays <= max) {
      return { at: pc.at, reasons: [`payday timing: contact ${fmt(pc.at)}, after the ${pc.reasons[0]}`] };
    }
    reasons.push(`the contact after the next payday (${pc.contactDate}) is more than ${plural(max, 'day')} away: first allowed moment instead`);
  }
  const m = firstAllowed(due, w, strategy);
  return { at: m.at, reasons: [...reasons, ...m.reasons.map((r) => `moved: ${r}`)] };
}

// ---------------------------------------------------------------------------------------------------
// The journey from the history
// ---------------------------------------------------------------------------------------------------

/** This journey's events: those tagged with its data.journeyNo, and untagged ones after the last 'journey_ended'. */
function journeyPart(history: readonly HistoryEvent[], journeyNo: number): HistoryEvent[] {
  let start = 0;
  history.forEach((e, i) => {
    if (e.type === 'journey_ended') start = i + 1;
  });
  return history.filter((e, i) => (typeof e.data?.journeyNo === 'number' ? e.data.journeyNo === journeyNo : i >= start));
}

/** The strategy phases that apply to this debtor and segment. */
function phasesFor(segment: Segment, input: DecisionInput, strategy: Strategy): PhaseSpec[] {
  return strategy.segments[segment].phases.filter((p) => {
    if (p.phase === 'fourteen_day_letter' && !input.debtor.consumer) return false;
    if (p.phase === 'handover' && (!strategy.allowHandover || segment === 'cannot_pay' || segment === 'vulnerable')) return false;
    return true;
  });
}

/** Contacts without a recorded phase get the phase the strategy would have given them (older history only). */
function replayPhases(contacts: Contact[], L: readonly PhaseSpec[]): void {
  const counts = new Map<Phase, number>();
  let pos = 0;
  for (const c of contacts) {
    if (!c.phase) {
      while (pos < L.length - 1 && (counts.get(L[pos].phase) ?? 0) >= L[pos].maxContacts) pos++;
      c.phase = L[pos]?.phase ?? 'reminder';
    } else {
      const i = L.findIndex((s) => phaseIndex(s.phase) >= phaseIndex(c.phase!));
      if (i >= 0) pos = Math.max(pos, i);
    }
    counts.set(c.phase, (counts.get(c.phase) ?? 0) + 1);
  }
}

/** For every open dossier the 14-day letter that covers it: sent after its default and after it arrived. */
function letterCoverage(dossiers: readonly DossierFacts[], letters: readonly Contact[]): Map<string, Contact> {
  const out = new Map<string, Contact>();
  for (const d of dossiers) {
    const l = letters.find((x) =>
      x.dossierIds ? x.dossierIds.includes(d.dossierId) && localDate(new Date(x.at)) > d.dueDate : x.at >= Date.parse(d.createdAt) && localDate(new Date(x.at)) > d.dueDate,
    );
    if (l) out.set(d.dossierId, l);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Costs
// ---------------------------------------------------------------------------------------------------

interface CostState {
  updates: CostUpdate[];
  /** per covered dossier: the first day costs may be added (receipt + 15) */
  costsFrom: Map<string, string>;
  receipt: Map<string, string>;
}

function paymentsOf(d: DossierFacts, history: readonly HistoryEvent[], fallbackAt: string): Payment[] {
  const out: Payment[] = [];
  let known = 0;
  let firstUndated: string | undefined;
  for (const e of history) {
    if (e.type !== 'payment') continue;
    const amount = e.data?.amount;
    const ids = typeof e.data?.dossierId === 'string' ? [e.data.dossierId] : strings(e.data?.dossierIds) ?? strings((e as LooseEvent).dossierIds);
    if (typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0 && ids?.length === 1) {
      if (ids[0] === d.dossierId) {
        out.push({ amount, at: typeof e.data?.paidAt === 'string' ? e.data.paidAt : e.at });
        known += amount;
      }
    } else firstUndated ??= e.at;
  }
  // Paid amounts the history cannot place in time count from the earliest undescribed payment event, or else
  // from the letter: the reading most favourable to the debtor.
  const rest = d.paid - known;
  if (rest > 0) out.push({ amount: rest, at: firstUndated ?? fallbackAt });
  return out;
}

/** Splits `total` cents over `weights` proportionally, largest remainder first; the parts add up exactly. */
export function splitCents(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (total === 0 || sum === 0) return weights.map(() => 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const order = weights.map((w, i) => ({ i, frac: (total * w) % sum })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  let left = total - parts.reduce((s, p) => s + p, 0);
  for (const o of order) {
    if (left <= 0) break;
    parts[o.i]++;
    left--;
  }
  return parts;
}

function costState(input: DecisionInput, history: readonly HistoryEvent[], open: readonly DossierFacts[], coverage: Map<string, Contact>): CostState {
  const state: CostState = { updates: [], costsFrom: new Map(), receipt: new Map() };
  if (!input.debtor.consumer) return state;
  const groups = new Map<string, { letter: Contact; dossiers: DossierFacts[] }>();
  for (const d of open) {
    const letter = coverage.get(d.dossierId);
    if (!letter) continue;
    const key = `${d.clientId}|${letter.iso}|${letter.stepNo ?? ''}`;
    const g = groups.get(key) ?? { letter, dossiers: [] };
    g.dossiers.push(d);
    groups.set(key, g);
  }
  for (const { letter, dossiers } of groups.values()) {
    const delivered = history.find(
      (e) => e.type === 'delivered' && e.channel === 'letter' && Date.parse(e.at) >= letter.at && (letter.stepNo === undefined || e.stepNo === letter.stepNo),
    );
    const payments = dossiers.map((d) => paymentsOf(d, history, letter.iso));
    const due = costsDue({
      principal: dossiers.map((d) => d.principal),
      payments: payments.flat(),
      letterSentAt: new Date(letter.at),
      provenDelivery: delivered ? localDate(new Date(delivered.at)) : undefined,
      now: input.now,
      // VAT only when the creditor cannot deduct it (DESIGN §5 rule 2); the 14-day letter states it.
      vat: dossiers.some((d) => d.vatOnCosts === true),
    });
    for (const d of dossiers) {
      state.costsFrom.set(d.dossierId, due.costsFrom);
      state.receipt.set(d.dossierId, due.receiptDate);
    }
    if (due.status === 'term_running') continue;
    const base = dossiers.map((d, i) => {
      const inTerm = payments[i].filter((p) => localDate(new Date(p.at)) <= due.termEnd).reduce((s, p) => s + p.amount, 0);
      return Math.max(0, d.principal - inTerm);
    });
    const shares = splitCents(due.total, base);
    dossiers.forEach((d, i) => {
      if (shares[i] === d.costs) return;
      const shared = dossiers.length > 1 ? `; ${euro(due.total)} on ${dossiers.length} claims of one creditor together, this claim's share ${euro(shares[i])}` : '';
      state.updates.push({ dossierId: d.dossierId, costs: shares[i], reason: `14-day letter of ${localDate(new Date(letter.at))}, receipt ${due.receiptDate}: ${due.reason}${shared}` });
    });
  }
  return state;
}

// ---------------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------------

/** The next step for the debtor under the strategy. See the module comment for the rules. */
export function decideWithStrategy(input: DecisionInput, strategy: Strategy): StrategyDecision {
  return decide(input, strategy, true);
}

interface Step {
  spec: PhaseSpec;
  phase: Phase;
  contactNo: number;
  /** the number of contacts this step counts towards */
  of: number;
  tone: Tone;
  due: number;
  why: string[];
  dossiers: DossierFacts[];
  /** channel problems met while choosing */
  channelWhy: string[];
  channel: Channel;
}

function decide(input: DecisionInput, strategy: Strategy, lookahead: boolean): StrategyDecision {
  const now = input.now;
  const t = now.getTime();
  const today = localDate(now);
  const seg = segmentWithEvidence(input);
  const base = { segment: seg.segment, segmentReasons: seg.reasons };
  const history = orderedHistory(input.history, now);
  const flags = new Set(input.debtor.flags);
  const done = (reason: string, reasons: string[], extra: { dossierStatus?: 'handed_over'; costs?: CostUpdate[] } = {}): StrategyDecision => ({
    kind: 'done',
    reason,
    ...(extra.dossierStatus ? { dossierStatus: extra.dossierStatus } : {}),
    reasons,
    ...base,
    ...(extra.costs?.length ? { costs: extra.costs } : {}),
  });

  // 1. stops --------------------------------------------------------------------------------------------
  const relief = Object.keys(DEBT_RELIEF_FLAGS).filter((f) => flags.has(f)).map((f) => `debtor ${DEBT_RELIEF_FLAGS[f]}`);
  const helpReply = history.find((e) => e.type === 'replied' && intentOf(e) === 'debt_help');
  if (helpReply && !relief.length) relief.push(`debtor reported debt help on ${localDate(new Date(helpReply.at))}`);
  if (relief.length) {
    return done('referred to debt help', [...relief, 'all outreach and cost accrual stop (WSNP, moratorium or municipal debt help)']);
  }
  const open = input.dossiers.filter((d) => d.status === 'open');
  if (open.length === 0) {
    const statuses = [...new Set(input.dossiers.map((d) => d.status))];
    return done('no open dossiers left', [input.dossiers.length ? `every dossier is ${statuses.join(' or ')}` : 'no dossiers']);
  }

  // 2. where the journey is -----------------------------------------------------------------------------
  const L = phasesFor(seg.segment, input, strategy);
  const segSpec = strategy.segments[seg.segment];
  const contactOf = new Map(history.filter(isContact).map((e) => [e, toContact(e)] as const));
  const allContacts = [...contactOf.values()];
  const journeyEvents = journeyPart(history, input.journey.journeyNo);
  const J = journeyEvents.filter(isContact).map((e) => contactOf.get(e)!);
  replayPhases(J, L);
  const P = J.reduce((m, c) => Math.max(m, phaseIndex(c.phase!)), -1);
  const lastContact = J.at(-1);
  const countPhase = (p: Phase) => J.filter((c) => c.phase === p).length;

  const overdue = open.filter((d) => d.dueDate < today);
  const consumer = input.debtor.consumer;
  const letters = allContacts.filter((c) => c.channel === 'letter' && c.phase === 'fourteen_day_letter');
  const coverage = letterCoverage(open, letters);
  const costs = costState(input, history, open, coverage);
  const withCosts = <D extends StrategyDecision>(d: D): D => (costs.updates.length ? { ...d, costs: costs.updates } : d);

  if (overdue.length === 0) {
    const first = open.map((d) => d.dueDate).sort()[0];
    return withCosts({
      kind: 'wait',
      until: localInstant(addDays(first, 1), 0),
      reasons: [`no open claim is overdue yet: the first is due ${first}`],
      ...base,
    });
  }
  const uncovered = consumer ? overdue.filter((d) => !coverage.has(d.dossierId)) : [];

  // Channels that failed since the last successful contact are avoided for a day. A permanent problem (bounce,
  // dead number, no address) is in debtor.unusable; a transient one (outage, interrupted send) is retried later.
  const failed = new Set<Channel>();
  if (input.lastError?.channel && isChannel(input.lastError.channel)) failed.add(input.lastError.channel);
  for (const e of journeyEvents) {
    if (lastContact && Date.parse(e.at) < lastContact.at) continue;
    if (now.getTime() - Date.parse(e.at) >= DAY) continue;
    if (e.type === 'send_failed' && isChannel(e.channel)) failed.add(e.channel);
  }

  const readyFor = (dossiers: readonly DossierFacts[], phase: Phase): DossierFacts[] => {
    if (!consumer || phaseIndex(phase) <= LETTER_PHASE) return [...dossiers];
    return dossiers.filter((d) => coverage.has(d.dossierId));
  };
  const phaseSpec = (p: Phase) => L.find((s) => s.phase === p);
  const escalationGap = (): { from: number; days: number; what: string } | undefined => {
    if (P < 0) return undefined;
    const lastMain = J.filter((c) => phaseIndex(c.phase!) === P).at(-1)!;
    const spec = phaseSpec(PHASES[P]) ?? [...L].reverse().find((s) => phaseIndex(s.phase) < P) ?? L[0];
    return { from: lastMain.at, days: spec.escalateAfterDays, what: `${plural(spec.escalateAfterDays, 'day')} after the last ${PHASES[P]} contact (${fmt(lastMain.at)})` };
  };
  const firstDue = (dossiers: readonly DossierFacts[]) => {
    const overdueStart = Math.min(...dossiers.map((d) => localInstant(addDays(d.dueDate, 1), 0).getTime()));
    const arrived = Math.min(...dossiers.map((d) => Date.parse(d.createdAt)));
    return Math.max(overdueStart, Number.isFinite(arrived) ? arrived : overdueStart);
  };

  // 3. the next step -------------------------------------------------------------------------------------
  const skipped: string[] = [];
  let step: Step | undefined;
  const tryEntry = (spec: PhaseSpec, contactNo: number, mode: 'normal' | 'letter' | 'no-letter', override?: Channel[]) => {
    const order = override ?? channelOrder(spec, contactNo, input.debtor, failed, mode);
    return chooseChannel(order, input.debtor, failed);
  };

  let holdSince: number | undefined;
  for (const spec of L) {
    const pi = phaseIndex(spec.phase);
    if (pi < P) continue;
    const n = pi === P ? countPhase(spec.phase) : 0;
    if (n >= spec.maxContacts) continue;
    let mode: 'normal' | 'letter' | 'no-letter' = 'normal';
    let dossiers = overdue;
    if (spec.phase === 'fourteen_day_letter') {
      if (n === 0) {
        if (uncovered.length === 0) {
          skipped.push('14-day letter: already sent for every open claim');
          continue;
        }
        mode = 'letter';
        dossiers = uncovered;
      } else {
        mode = 'no-letter';
        dossiers = overdue.filter((d) => coverage.has(d.dossierId));
        if (dossiers.length === 0) continue;
      }
    }
    const choice = tryEntry(spec, n, mode);
    if (!choice.channel) {
      skipped.push(`${spec.phase} skipped: no usable channel (${choice.reasons.join(', ')})`);
      continue;
    }
    const why: string[] = [];
    let due: number;
    if (J.length === 0) {
      due = firstDue(dossiers);
      why.push('first contact of the journey');
    } else if (n > 0) {
      const prev = J.filter((c) => c.phase === spec.phase).at(-1)!;
      due = laterDays(prev.at, spec.cadenceDays);
      why.push(`${plural(spec.cadenceDays, 'day')} after the previous ${spec.phase} contact (${fmt(prev.at)})`);
    } else {
      const gap = escalationGap()!;
      due = laterDays(gap.from, gap.days);
      why.push(`next phase ${gap.what}`);
    }
    step = { spec, phase: spec.phase, contactNo: n, of: spec.maxContacts, tone: toneFor(spec, n), due, why, dossiers, channelWhy: choice.reasons, channel: choice.channel };
    break;
  }

  // segment changed during this journey to one whose phases stop earlier: its last phase again, no escalation
  if (!step && seg.since && L.length && J.length && Date.parse(seg.since) > J[0].at) {
    const last = L[L.length - 1];
    if (last.phase !== 'handover') {
      const since = Date.parse(seg.since);
      const held = J.filter((c) => c.at >= since && c.phase === last.phase);
      const mode = last.phase === 'fourteen_day_letter' ? 'no-letter' : 'normal';
      if (held.length < last.maxContacts) {
        const choice = tryEntry(last, held.length, mode);
        if (choice.channel) {
          holdSince = since;
          const prev = held.at(-1);
          step = {
            spec: last,
            phase: last.phase,
            contactNo: held.length,
            of: last.maxContacts,
            tone: toneFor(last, held.length),
            due: prev ? laterDays(prev.at, last.cadenceDays) : since,
            why: [
              `segment ${seg.segment} since ${fmt(since)}: no further escalation, ${last.phase} messages instead`,
              prev ? `${plural(last.cadenceDays, 'day')} after the previous one (${fmt(prev.at)})` : 'reacting to the change at once',
            ],
            dossiers: readyFor(overdue, last.phase),
            channelWhy: choice.reasons,
            channel: choice.channel,
          };
        } else skipped.push(`${last.phase} skipped: no usable channel (${choice.reasons.join(', ')})`);
      }
    }
  }

  // 4. vulnerable: a person before every escalation ---------------------------------------------------------
  if (step && seg.segment === 'vulnerable' && holdSince === undefined && P >= 0 && phaseIndex(step.phase) > P) {
    const current = PHASES[P];
    const entered = J.find((c) => c.phase === current)!.at;
    const human = history.find((e) => e.type === 'call_outcome' && outcomeOf(e) !== undefined && Date.parse(e.at) > entered);
    const spec = phaseSpec(current) ?? step.spec;
    // the escalation delay runs from the phase's own last contact, not from the call task
    const lastOwn = J.filter((c) => c.phase === current && c.channel !== 'call').at(-1) ?? J.filter((c) => c.phase === current).at(-1)!;
    const escalateAt = laterDays(lastOwn.at, spec.escalateAfterDays);
    if (human) {
      const decidedAt = Date.parse(human.at);
      step.due = Math.max(escalateAt, decidedAt);
      step.why = [`vulnerable debtor: an agent spoke with the debtor on ${fmt(decidedAt)} (${outcomeOf(human)!.replace(/_/g, ' ')}), so the journey may move on`, `${plural(spec.escalateAfterDays, 'day')} after the last ${current} contact (${fmt(lastOwn.at)})`];
    } else {
      const calls = J.filter((c) => c.channel === 'call' && c.at > entered);
      const prev = calls.at(-1);
      if (calls.length >= VULNERABLE_MAX_CALL_TASKS) {
        const giveUp = laterDays(prev!.at, spec.cadenceDays);
        const reasons = [`${plural(calls.length, 'call task')} since ${fmt(entered)} without an outcome from an agent`, `the journey does not move to ${step.phase} without a person`];
        if (giveUp > t) return withCosts({ kind: 'wait', until: new Date(giveUp), reasons: [...reasons, `waiting for the last call task until ${fmt(giveUp)}`], ...base });
        return withCosts(done('needs a human decision (vulnerable debtor)', reasons));
      }
      const choice = chooseChannel(['call'], input.debtor, failed);
      if (!choice.channel) {
        return withCosts(done('needs a human decision (vulnerable debtor)', [`no call task possible: ${choice.reasons.join(', ')}`, `the journey does not move to ${step.phase} without a person`]));
      }
      step = {
        spec,
        phase: current,
        contactNo: countPhase(current),
        of: countPhase(current) + 1,
        tone: toneFor(spec, countPhase(current)),
        due: prev ? laterDays(prev.at, spec.cadenceDays) : escalateAt,
        why: [
          `vulnerable debtor: an agent calls before the journey moves to ${step.phase}`,
          prev ? `${plural(spec.cadenceDays, 'day')} after the previous call task (${fmt(prev.at)})` : `${plural(spec.escalateAfterDays, 'day')} after the last ${current} contact (${fmt(lastOwn.at)})`,
        ],
        dossiers: readyFor(overdue, current),
        channelWhy: [],
        channel: 'call',
      };
    }
  }

  // 5. consumers: the 14-day letter before any demand ---------------------------------------------------------
  if (step && consumer && phaseIndex(step.phase) > LETTER_PHASE) {
    if (uncovered.length) {
      const letterSpec = phaseSpec('fourteen_day_letter');
      const letterOk = !channelProblem('letter', input.debtor, failed);
      const ids = uncovered.map((d) => d.dossierId).join(', ');
      if (letterOk && letterSpec) {
        step = {
          spec: letterSpec,
          phase: 'fourteen_day_letter',
          contactNo: 0,
          of: 1,
          tone: toneFor(letterSpec, 0),
                due: Math.max(firstDue(uncovered), lastContact ? laterDays(lastContact.at, 1) : 0),
          why: [`the 14-day letter comes before any ${step.phase}: not yet sent for ${ids}`],
          dossiers: uncovered,
          channelWhy: [],
          channel: 'letter',
        };
      } else if (letterSpec && !channelProblem('letter', input.debtor)) {
        // The letter is possible; only its last attempt failed (a provider outage, an interrupted send):
        // the 14-day letter is required, so try it again the next day instead of giving up on the journey.
        const retryAt = nextContactMoment(new Date(now.getTime() + DAY)).at;
        return withCosts({
          kind: 'wait',
          until: retryAt,
          reasons: [`the 14-day letter failed on a recent attempt${input.lastError ? ` (${input.lastError.error})` : ''}; trying again ${fmt(retryAt.getTime())}`],
          ...base,
        });
      } else if (step.dossiers.filter((d) => coverage.has(d.dossierId)).length === 0) {
        return withCosts(done('no usable postal address for the 14-day letter', [
          `${channelProblem('letter', input.debtor, failed) ?? 'no 14-day letter phase in this segment'}: no ${step.phase} without the 14-day letter (${ids})`,
        ]));
      } else {
        step.why.push(`not for ${ids}: no 14-day letter possible (${channelProblem('letter', input.debtor, failed)})`);
      }
    }
    if (step.phase !== 'fourteen_day_letter') {
      const covered = step.dossiers.filter((d) => coverage.has(d.dossierId));
      const firstFrom = covered.map((d) => costs.costsFrom.get(d.dossierId)!).sort()[0];
      if (firstFrom) {
        const from = localInstant(firstFrom, 0).getTime();
        if (from > step.due) {
          step.due = from;
          const d0 = covered.find((d) => costs.costsFrom.get(d.dossierId) === firstFrom)!;
          step.why.push(`14-day term: letter received ${costs.receipt.get(d0.dossierId)}, no ${step.phase} before ${firstFrom}`);
        }
      }
      step.dossiers = covered;
    }
  }

  // 6. the end -----------------------------------------------------------------------------------------------
  if (!step) {
    if (J.length === 0) return withCosts(done('no usable channel left', skipped.length ? skipped : ['no phase to run']));
    const handover = J.some((c) => c.phase === 'handover') && L.some((s) => s.phase === 'handover');
    const lastSpec = (lastContact && phaseSpec(lastContact.phase!)) ?? L[L.length - 1];
    const endAt = laterDays(lastContact!.at, lastSpec.escalateAfterDays);
    const what = handover ? 'hand-over' : `end (${segSpec.end.reason})`;
    const reasons = [...skipped, `all phases for segment ${seg.segment} done; ${what} ${plural(lastSpec.escalateAfterDays, 'day')} after the last contact (${fmt(lastContact!.at)})`];
    if (endAt > t) return withCosts({ kind: 'wait', until: new Date(endAt), reasons, ...base });
    if (handover) return done('handed over: no payment after the hand-over notice', reasons, { dossierStatus: 'handed_over', costs: costs.updates });
    return done(segSpec.end.reason, reasons, { costs: costs.updates });
  }

  // 7. timing ------------------------------------------------------------------------------------------------
  let due = step.due;
  const why = [...step.why];
  const grace = [...history].reverse().find(
    (e) => (e.type === 'replied' && (intentOf(e) === 'promise_to_pay' || intentOf(e) === 'already_paid')) || (e.type === 'call_outcome' && outcomeOf(e) === 'promise_to_pay'),
  );
  if (grace) {
    const until = laterDays(Date.parse(grace.at), strategy.promiseGraceDays);
    if (until > due) {
      due = until;
      const what = intentOf(grace) === 'already_paid' ? 'says the claim is already paid' : 'promised to pay';
      why.push(`debtor ${what} on ${fmt(Date.parse(grace.at))}: no contact for ${plural(strategy.promiseGraceDays, 'day')}`);
    }
  }
  const cap = strategy.frequencyCap;
  const times = allContacts.map((c) => c.at).sort((a, b) => a - b);
  const capAt = Math.max(due, times.at(-1) ?? due);
  const inWindow = times.filter((x) => laterDays(x, cap.perDays) > capAt);
  if (inWindow.length >= cap.maxContacts) {
    const free = laterDays(inWindow[inWindow.length - cap.maxContacts], cap.perDays);
    if (free > due) {
      due = free;
      why.push(`frequency cap: at most ${plural(cap.maxContacts, 'contact')} per ${plural(cap.perDays, 'day')}; next free ${fmt(free)}`);
    }
  }
  const target = schedule(new Date(due), step.spec, input, strategy);
  const label = `phase ${step.phase}, contact ${step.contactNo + 1} of ${step.of}, ${step.tone} tone`;
  const w = windowFor(strategy, step.spec);
  if (target.at.getTime() > t) {
    return withCosts({
      kind: 'wait',
      until: target.at,
      reasons: [`next: ${label} by ${step.channel}, at ${fmt(target.at)} Europe/Amsterdam`, ...skipped, ...why, ...target.reasons],
      ...base,
    });
  }
  if (!isContactAllowed(now, w) || isLean(today, strategy)) {
    const m = firstAllowed(now, w, strategy);
    return withCosts({
      kind: 'wait',
      until: m.at,
      reasons: [`next: ${label} by ${step.channel}, due now but not allowed now`, ...skipped, ...why, ...m.reasons.map((r) => `moved: ${r}`)],
      ...base,
    });
  }

  // 8. send -----------------------------------------------------------------------------------------------------
  const stepNo = input.journey.stepNo + 1;
  const sendDossiers = step.phase === 'fourteen_day_letter' || !consumer || phaseIndex(step.phase) <= LETTER_PHASE
    ? step.dossiers
    : step.dossiers.filter((d) => (costs.costsFrom.get(d.dossierId) ?? today) <= today);
  if (sendDossiers.length === 0) {
    const from = step.dossiers.map((d) => costs.costsFrom.get(d.dossierId) ?? today).sort()[0] ?? addDays(today, 1);
    return withCosts({ kind: 'wait', until: localInstant(from > today ? from : addDays(today, 1), 0), reasons: [`next: ${label}: no claim has passed its 14-day term yet`], ...base });
  }
  const template = `${step.channel}/${step.phase}/${step.tone}`;
  const late = t - target.at.getTime() > 60_000 ? [`due since ${fmt(target.at)}`] : [];
  const reasons = [`segment ${seg.segment}: ${label}`, ...skipped, ...why, ...target.reasons, ...late, ...step.channelWhy, `channel ${step.channel}`];
  if (step.channel === 'call') reasons.push('a call task for an agent');
  let nextDecisionAt = new Date(t + DAY);
  if (lookahead) {
    const event: HistoryEvent = {
      at: now.toISOString(),
      type: step.channel === 'call' ? 'call_task' : 'sent',
      channel: step.channel,
      stepNo,
      data: { phase: step.phase, tone: step.tone, template, dossierIds: sendDossiers.map((d) => d.dossierId), journeyNo: input.journey.journeyNo },
    };
    const next = decide(
      { ...input, history: [...input.history, event], journey: { ...input.journey, stepNo, lastContactAt: now.toISOString() }, lastError: undefined },
      strategy,
      false,
    );
    if (next.kind === 'wait') nextDecisionAt = next.until;
    else if (next.kind === 'done') nextDecisionAt = new Date(t + 3_600_000);
  }
  return withCosts({
    kind: 'send',
    stepNo,
    channel: step.channel,
    phase: step.phase,
    tone: step.tone,
    language: input.debtor.language,
    template,
    dossierIds: sendDossiers.map((d) => d.dossierId),
    nextDecisionAt,
    reasons,
    ...base,
  });
}
