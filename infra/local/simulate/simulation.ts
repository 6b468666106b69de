/**
 * One simulated portfolio: `debtors` claims handed over evenly during the first part of `days` (the population's
 * arrivalShare), each debtor answering the journey's contacts as the population says, all of it through the real
 * ASL and handlers on the virtual clock (runtime.ts). Deterministic for a seed.
 */
import { addDays, localDate } from '../../../functions/domain/calendar.js';
import { kpiReport } from '../../../functions/reports/kpis.js';
import { resultsOf } from '../../../functions/reports/experiments.js';
import { overrideExperimentInputs } from '../../../functions/services/experiments.js';
import { currentStrategy } from '../../../functions/services/strategy-source.js';
import type { ExperimentResults } from '../../../functions/domain/experiments/results.js';
import { EXPERIMENT_ATTR } from '../../../functions/store/case-codec.js';
import { key } from '../../../functions/store/keys.js';
import fs from 'node:fs';
import { parseCorpus } from '../../../functions/domain/intents/corpus.js';
import { getEvent } from '../../../functions/store/timeline.js';
import { tasksWithStatus } from '../../../functions/store/tasks.js';
import type { Population } from './population-schema.js';
import { REPLY_INTENTS, type ReplyKind, type SimDebtor, makeDebtor, parseTemplate, reactionsTo, replyTextsFrom } from './model.js';
import { SimulationRuntime } from './runtime.js';
import { type ReportData, reportData } from '../report/data.js';

export const DEFAULT_START = '2026-03-02T05:00:00Z';
const CORPUS = new URL('../../../functions/domain/intents/corpus.jsonl', import.meta.url);
const DAY = 86_400_000;

export interface SimulationOptions {
  debtors: number;
  days: number;
  seed: number;
  population: Population;
  /** the strategy (parsed JSON) the journeys run under */
  strategy: unknown;
  start?: string;
  /** the oracle: new debtors of these experiments all get this variant */
  force?: Record<string, string>;
  progress?: (text: string) => void;
}

export interface DebtorOutcome {
  index: number;
  segment: string;
  clientId: string;
  principal: number;
  paidCents: number;
  payments: Array<{ at: number; cents: number }>;
  /** experiment id → variant */
  variants: Record<string, string>;
  contacts: number;
}

export interface SimulationResult {
  debtors: number;
  days: number;
  seed: number;
  start: string;
  end: string;
  seconds: number;
  journeysPerSecond: number;
  contacts: number;
  principalCents: number;
  recoveredCents: number;
  transitions: number;
  lambdaInvocations: Record<string, number>;
  kpis: { bySegment: Awaited<ReturnType<typeof kpiReport>>; byVariant: Awaited<ReturnType<typeof kpiReport>>; byChannel: Awaited<ReturnType<typeof kpiReport>>; byTone: Awaited<ReturnType<typeof kpiReport>> };
  experiments: ExperimentResults[];
  outcomes: DebtorOutcome[];
  /**
   * The conversation: the debtors' replies (through the signed webhook and the classifier), how the classifier read
   * them (`understood`: the share read as the kind the debtor meant), the answers sent to them, the agent tasks open
   * at the end by reason. Answers are not journey contacts: not in `contacts`, never reacted to.
   */
  conversation: { replies: number; byKind: Record<ReplyKind, number>; intents: Record<string, number>; understood: number; answers: number; openTasks: Record<string, number> };
  /** timers whose target failed after its retries (0 unless something is wrong: every timer has its function here) */
  deadLetters: number;
  /** what the report shows (the agency's view of the whole period) */
  report: ReportData;
}

export async function runSimulation(o: SimulationOptions): Promise<SimulationResult> {
  const start = Date.parse(o.start ?? DEFAULT_START);
  const end = start + o.days * DAY;
  const debtors: SimDebtor[] = [];
  const byCase = new Map<string, { d: SimDebtor; dossierId: string }>();
  const paid = new Map<number, { cents: number; payments: Array<{ at: number; cents: number }>; contacts: number }>();
  let contacts = 0;
  let payKeys = 0;
  let replies = 0;
  let answers = 0;
  const sentReplies: Array<{ caseId: string; messageSid: string; at: number; kind: ReplyKind }> = [];
  const texts = replyTextsFrom(parseCorpus(fs.readFileSync(CORPUS, 'utf8')));
  const opens = new Map<number, Array<Record<string, unknown>>>();
  const apiKeyOf = (clientId: string) => `sim-key-${clientId}`;

  const rt = new SimulationRuntime({
    start,
    seed: o.seed,
    strategy: o.strategy,
    onSend: ({ msg, at }) => {
      // an answer to a reply (services/conversation.ts: step 0, template answer/<intent>) is no journey contact
      if (msg.correlation.stepNo === 0 || msg.rendered.template.startsWith('answer/')) {
        answers++;
        return;
      }
      contacts++;
      const hit = byCase.get(msg.correlation.caseId);
      if (!hit) return;
      const { d, dossierId } = hit;
      paid.get(d.index)!.contacts++;
      const t = parseTemplate(msg.rendered.template);
      const reactions = reactionsTo(o.population, d, { channel: msg.channel, phase: t.phase, tone: t.tone, ...(t.variant ? { template: t.variant } : {}), at, stepNo: msg.correlation.stepNo + 1000 * msg.correlation.journeyNo }, o.seed, texts);
      for (const r of reactions) {
        if (r.at >= end) continue;
        rt.clock.schedule(r.at, async () => {
          const ledger = paid.get(d.index)!;
          if (ledger.cents >= d.principal) return;
          if (r.kind === 'pay') await pay(d, dossierId);
          else if (r.kind === 'reply' && d.phone) {
            const messageSid = `SMsim${String(d.index).padStart(7, '0')}${String(msg.correlation.journeyNo).padStart(3, '0')}${String(msg.correlation.stepNo).padStart(4, '0')}`.padEnd(34, '0');
            sentReplies.push({ caseId: msg.correlation.caseId, messageSid, at: rt.clock.now(), kind: r.intent });
            await rt.reply(d.phone, r.text, d.whatsappOptIn, messageSid);
          }
          else if (r.kind === 'open') {
            // SendGrid posts the events of a moment together: one signed webhook call per instant
            const batch = opens.get(r.at) ?? [];
            if (!opens.has(r.at)) {
              opens.set(r.at, batch);
              queueMicrotask(() => {
                opens.delete(r.at);
                void rt.sendgrid(batch);
              });
            }
            batch.push({ event: 'open', email: msg.to, sg_event_id: `sim-open-${d.index}-${msg.correlation.journeyNo}-${msg.correlation.stepNo}`, timestamp: Math.floor(r.at / 1000), caseId: msg.correlation.caseId, journeyNo: msg.correlation.journeyNo, stepNo: msg.correlation.stepNo });
          }
          if (r.kind === 'reply') replies++;
        });
      }
    },
  });
  const pay = async (d: SimDebtor, dossierId: string) => {
    const ledger = paid.get(d.index)!;
    const amount = d.principal - ledger.cents;
    if (amount <= 0) return;
    const res = await rt.api('POST', '/v1/dossiers/{dossierId}/payments', { dossierId }, apiKeyOf(d.clientId), { amount, reference: `SIMPAY-${d.index}-${++payKeys}` });
    if (res.statusCode === 200) {
      ledger.cents += amount;
      ledger.payments.push({ at: rt.clock.now(), cents: amount });
    }
  };

  for (const c of o.population.clients) await rt.seedClient(c.id, c.name, apiKeyOf(c.id));
  await rt.seedClient('agency-sim', 'Simulatie Incasso', 'sim-agency-key', true);
  if (o.force) overrideExperimentInputs(Object.fromEntries(Object.entries(o.force).map(([id, winner]) => [id, { winner }])));

  const arrivalDays = Math.max(1, Math.ceil(o.days * o.population.arrivalShare));
  const t0 = performance.now();
  let next = 0;
  for (let day = 0; day < o.days; day++) {
    const dayStart = start + day * DAY;
    const due = day < arrivalDays ? Math.round(((day + 1) * o.debtors) / arrivalDays) : o.debtors;
    const arrivals: SimDebtor[] = [];
    const arriveAt = dayStart + 3 * 3_600_000; // 09:00 CET / 10:00 CEST
    await rt.clock.advance(arriveAt);
    for (; next < Math.min(due, o.debtors); next++) {
      const d = makeDebtor(o.population, o.seed, next, arriveAt, end);
      debtors.push(d);
      paid.set(d.index, { cents: 0, payments: [], contacts: 0 });
      arrivals.push(d);
    }
    for (let i = 0; i < arrivals.length; i += 50) {
      await Promise.all(
        arrivals.slice(i, i + 50).map(async (d) => {
          const res = await rt.api('POST', '/v1/dossiers', {}, apiKeyOf(d.clientId), {
            reference: d.reference,
            principal: d.principal,
            dueDate: d.dueDate,
            debtor: {
              name: d.name,
              consumer: d.segment.consumer,
              ...(d.email ? { email: d.email } : {}),
              ...(d.phone ? { phone: d.phone, whatsappOptIn: d.whatsappOptIn } : {}),
              ...(d.address ? { address: d.address } : {}),
              ...(d.income === 'unknown' ? {} : d.income === 'uwv' ? { incomeSource: { type: 'uwv', benefit: 'ww' } } : d.income === 'bijstand' ? { incomeSource: 'bijstand', paydayOfMonth: 1 } : { incomeSource: d.income }),
            },
          });
          if (res.statusCode !== 201) throw new Error(`simulated intake refused (${res.statusCode}): ${res.body}`);
          const body = JSON.parse(res.body) as { dossierId: string; debtorId: string };
          byCase.set(body.debtorId, { d, dossierId: body.dossierId });
          if (d.selfCureAt !== undefined) rt.clock.schedule(d.selfCureAt, () => pay(d, body.dossierId));
        }),
      );
    }
    await rt.clock.advance(dayStart + DAY);
    o.progress?.(`day ${day + 1}/${o.days}: ${next} debtors, ${contacts} contacts, ${replies} replies`);
  }
  const seconds = (performance.now() - t0) / 1000;

  const now = new Date(rt.clock.now());
  const from = localDate(new Date(start));
  const to = localDate(new Date(end));
  const scope = { clientId: 'agency-sim', agent: true };
  const q = (groupBy: 'segment' | 'variant' | 'channel' | 'tone') => kpiReport(scope, { from, to: addDays(to, 0), groupBy }, now);
  const kpis = { bySegment: await q('segment'), byVariant: await q('variant'), byChannel: await q('channel'), byTone: await q('tone') };
  const experiments: ExperimentResults[] = [];
  for (const x of currentStrategy().experiments ?? []) experiments.push(await resultsOf(x, now));
  const report = await reportData({ now, from, to, title: 'Maatwerk simulation — what works' });

  // how the classifier read the replies, from the timeline entries the webhook wrote (`in-<MessageSid>`)
  const intents: Record<string, number> = {};
  const byKind: Record<ReplyKind, number> = { promise: 0, arrangement: 0, question: 0 };
  let understood = 0;
  for (const r of sentReplies) {
    byKind[r.kind]++;
    const ev = await getEvent(r.caseId, new Date(r.at).toISOString(), `in-${r.messageSid}`);
    const intent = ev?.intent ?? '(not recorded)';
    intents[intent] = (intents[intent] ?? 0) + 1;
    if ((REPLY_INTENTS[r.kind] as readonly string[]).includes(intent)) understood++;
  }
  const openTasks: Record<string, number> = {};
  for (const t of await tasksWithStatus('open')) openTasks[t.reason ?? 'call'] = (openTasks[t.reason ?? 'call'] ?? 0) + 1;

  const outcomes: DebtorOutcome[] = [];
  for (const [caseId, { d }] of byCase) {
    const item = rt.table.get(key.case(caseId)) ?? {};
    const variants: Record<string, string> = {};
    for (const [k, v] of Object.entries(item)) if (k.startsWith(EXPERIMENT_ATTR)) variants[k.slice(EXPERIMENT_ATTR.length)] = (v as { variant: string }).variant;
    const ledger = paid.get(d.index)!;
    outcomes.push({ index: d.index, segment: d.segment.name, clientId: d.clientId, principal: d.principal, paidCents: ledger.cents, payments: ledger.payments, variants, contacts: ledger.contacts });
  }
  outcomes.sort((a, b) => a.index - b.index);
  const stats = rt.sfn.stats();
  const result: SimulationResult = {
    debtors: o.debtors,
    days: o.days,
    seed: o.seed,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    seconds,
    journeysPerSecond: o.debtors / seconds,
    contacts,
    principalCents: debtors.reduce((s, d) => s + d.principal, 0),
    recoveredCents: outcomes.reduce((s, d) => s + d.paidCents, 0),
    transitions: stats.stateTransitions,
    lambdaInvocations: { ...rt.invocations },
    kpis,
    experiments,
    outcomes,
    conversation: { replies: sentReplies.length, byKind, intents, understood: sentReplies.length ? understood / sentReplies.length : 1, answers, openTasks },
    deadLetters: rt.scheduler.deadLetters.length,
    report,
  };
  overrideExperimentInputs({});
  await rt.close();
  return result;
}
