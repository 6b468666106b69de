/**
 * Decide, step "moment": when a due contact may go out. Payday timing when the phase asks for it and the
 * payday moment is close enough; otherwise the first allowed moment: 07:00–20:00 Europe/Amsterdam ∩ the
 * strategy's window, no Sundays, no Atw holidays or declared-equal days (DESIGN §5 rules 7–8), no lean days
 * around the 10th when the strategy lists them. A promise gives the debtor time; the frequency cap spaces contacts.
 */
import { DateTime, IANAZone } from 'luxon';
import { type ContactWindow, ZONE, addDays, dateParts, effectiveWindow, localDate, localInstant, nextContactMoment } from '../calendar.js';
import type { DebtorFacts, Signals } from '../case/facts.js';
import { type IncomeSource, IncomeSourceSchema, contactMomentAfterPayday } from '../payday.js';
import { DEFAULT_MAX_PAYDAY_WAIT_DAYS, type PhaseSpec, type Strategy } from '../strategy.js';

export const DAY = 86_400_000;

const AMSTERDAM = IANAZone.create(ZONE);
/** Instants whose local date has four digits and no sign (what the fast paths below write and compute) */
const PLAIN = { from: Date.UTC(1000, 0, 3), to: Date.UTC(9999, 11, 28) };

/** 'yyyy-MM-dd HH:mm' in Europe/Amsterdam: the zone's offset and the ISO text (what luxon's format gives). */
export function fmt(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (!(ms > PLAIN.from && ms < PLAIN.to)) return DateTime.fromMillis(ms, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
  const iso = new Date(ms + AMSTERDAM.offset(ms) * 60_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `days` calendar days later at the same Europe/Amsterdam wall-clock time (DST-proof). */
export function laterDays(at: number, days: number): number {
  if (!Number.isInteger(days) || Math.abs(days) > 36_500 || !(at > PLAIN.from && at < PLAIN.to)) return DateTime.fromMillis(at, { zone: ZONE }).plus({ days }).toMillis();
  // luxon's plus({ days }): the same wall-clock time `days` later, its offset found as luxon's fixOffset does (a
  // time in the spring gap moves forward, one in the autumn overlap takes the offset before) — without a DateTime
  const o = AMSTERDAM.offset(at);
  const local = at + (o + days * 1440) * 60_000;
  let utc = local - o * 60_000;
  const o2 = AMSTERDAM.offset(utc);
  if (o2 === o) return utc;
  utc -= (o2 - o) * 60_000;
  const o3 = AMSTERDAM.offset(utc);
  if (o3 === o2) return utc;
  return local - Math.min(o2, o3) * 60_000;
}

/** The strategy's contact window, narrowed by the phase's own. */
export function windowFor(strategy: Strategy, spec?: PhaseSpec): ContactWindow {
  const global = effectiveWindow(strategy.contactWindow);
  if (!spec?.contactWindow) return global;
  return effectiveWindow({
    startHour: Math.max(global.startHour, spec.contactWindow.startHour),
    endHour: Math.min(global.endHour, spec.contactWindow.endHour),
  });
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

export function isLean(date: string, strategy: Strategy): boolean {
  const lean = strategy.leanDays;
  if (!lean) return false;
  const { day } = dateParts(date);
  return day >= lean.from && day <= lean.to;
}

/** The first allowed instant ≥ t: contact hours and days, the strategy's window and its lean days. */
export function firstAllowed(t: Date, w: ContactWindow, strategy: Strategy): { at: Date; reasons: string[] } {
  const reasons: string[] = [];
  const note = (text: string) => {
    if (!reasons.includes(text)) reasons.push(text);
  };
  let from = t;
  for (let i = 0; i < 40; i++) {
    const m = nextContactMoment(from, w);
    for (const r of m.reasons) note(movedText(r, w));
    const d = localDate(m.at);
    if (!isLean(d, strategy)) return { at: m.at, reasons };
    const lean = strategy.leanDays!;
    note(`no contact on the lean days around the 10th (day ${lean.from}–${lean.to} of the month)`);
    from = localInstant(addDays(d, lean.to - dateParts(d).day + 1), w.startHour);
  }
  throw new Error('no allowed contact moment found');
}

/** The income source as the payday rules read it, per facts object (a decision asks for it several times). */
const incomes = new WeakMap<object, IncomeSource>();
let noIncome: IncomeSource | undefined;
function incomeOf(d: DebtorFacts): IncomeSource {
  const src = d.incomeSource as unknown;
  const key = src !== null && typeof src === 'object' ? src : undefined;
  const hit = key ? incomes.get(key) : src === undefined ? noIncome : undefined;
  if (hit) return hit;
  const r = IncomeSourceSchema.safeParse(src);
  const income = r.success ? r.data : ({ type: 'unknown' } as IncomeSource);
  if (key) incomes.set(key, income);
  else if (src === undefined) noIncome = income;
  return income;
}

/** The contact moment for a contact due at `due`. Independent of `now`, so a wait ends in a send. */
export function schedule(due: Date, spec: PhaseSpec, debtor: DebtorFacts, strategy: Strategy): { at: Date; reasons: string[] } {
  const w = windowFor(strategy, spec);
  const reasons: string[] = [];
  if (spec.timing === 'payday') {
    const max = spec.maxPaydayWaitDays ?? DEFAULT_MAX_PAYDAY_WAIT_DAYS;
    const pc = contactMomentAfterPayday(incomeOf(debtor), due, {
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

/** Days after the date a debtor named before the next contact: the money needs a few days to arrive. */
export const PROMISE_SLACK_DAYS = 3;
/** However far away the named date, the grace ends this many days after the reply (a person may look earlier). */
export const PROMISE_MAX_GRACE_DAYS = 62;

/**
 * A promise to pay (or "already paid", or a request to pay later) gives the debtor promiseGraceDays without
 * contact — or, when they named a date, until PROMISE_SLACK_DAYS after it (at most PROMISE_MAX_GRACE_DAYS).
 */
export function afterGrace(due: number, signals: Signals, strategy: Strategy): { due: number; why?: string } {
  const grace = signals.grace;
  if (!grace) return { due };
  const from = Date.parse(grace.at);
  let until = laterDays(from, strategy.promiseGraceDays);
  let span = `no contact for ${plural(strategy.promiseGraceDays, 'day')}`;
  if (grace.until) {
    const named = Math.min(localInstant(addDays(grace.until, PROMISE_SLACK_DAYS), 9).getTime(), laterDays(from, PROMISE_MAX_GRACE_DAYS));
    if (named > until) {
      until = named;
      span = `no contact until ${PROMISE_SLACK_DAYS} days after ${grace.until}, the date they named`;
    }
  }
  if (until <= due) return { due };
  const what = grace.kind === 'already_paid' ? 'says the claim is already paid' : 'promised to pay';
  return { due: until, why: `debtor ${what} on ${fmt(from)}: ${span}` };
}

/** At most cap.maxContacts contacts per cap.perDays days, over every journey of the debtor. */
export function afterFrequencyCap(due: number, contactTimes: readonly number[], strategy: Strategy): { due: number; why?: string } {
  const cap = strategy.frequencyCap;
  const times = [...contactTimes].sort((a, b) => a - b);
  const capAt = Math.max(due, times.at(-1) ?? due);
  const inWindow = times.filter((x) => laterDays(x, cap.perDays) > capAt);
  if (inWindow.length < cap.maxContacts) return { due };
  const free = laterDays(inWindow[inWindow.length - cap.maxContacts], cap.perDays);
  if (free <= due) return { due };
  return { due: free, why: `frequency cap: at most ${plural(cap.maxContacts, 'contact')} per ${plural(cap.perDays, 'day')}; next free ${fmt(free)}` };
}
