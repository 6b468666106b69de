/**
 * Helpers for the channel, webhook, task and fault tests: debtors and cases written straight into the store
 * (no journey running, so nothing else sends), channel steps invoked with explicit actions through the real
 * handlers, and "forced" journeys — the real journey ASL on the local engine whose first Decide returns a
 * given action (later Decides are the real one), so Retry/Catch/timeouts run exactly as deployed without
 * depending on the journey's decision logic.
 */
import { StartExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import fs from 'node:fs';
import { JOURNEY_ASL } from '../../infra/local/runtime.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';
import type { Harness } from './local.js';
import * as steps from '../../functions/channel-step/handler.js';
import { JOURNEY_FUNCTIONS } from '../../infra/local/journey-functions.js';
import { handler as realDecide } from '../../functions/decide/handler.js';
import { now } from '../../functions/shared/clock.js';
import { newId } from '../../functions/shared/ids.js';
import { DebtorInput, type JourneyState, type SendAction } from '../../functions/shared/schemas.js';
import { applyEvent } from '../../functions/domain/case/events.js';
import { addressKey, identityKeys, normaliseEmail } from '../../functions/domain/case/identity.js';
import { type CaseState, type ClaimRecord, emptyCase, factsOf } from '../../functions/domain/case/state.js';
import type { DebtorFacts } from '../../functions/domain/case/facts.js';
import { createCase } from '../../functions/store/cases.js';
import { writeItems } from '../../functions/store/batch.js';
import { dossierItem } from '../../functions/store/dossiers.js';
import { claimIdentityKeys, emailIndexItem, phoneIndexItem } from '../../functions/store/identity.js';
import { caseTimeline, type TimelineEvent } from '../../functions/store/timeline.js';
import { loadCase } from '../../functions/services/case.js';
import { strategyId } from '../../functions/services/strategy-source.js';

let seq = Math.floor(Math.random() * 1_000_000);
/** A unique valid Dutch mobile number per call (+31 61 + 7 digits), for tests that need many debtors. */
export function uniquePhone(): string {
  seq = (seq + 1) % 10_000_000;
  return `+3161${String(seq).padStart(7, '0')}`;
}

export interface SeedOptions {
  name?: string;
  email?: string | null;
  phone?: string | null;
  whatsappOptIn?: boolean;
  language?: 'nl' | 'en';
  address?: { line1: string; postalCode: string; city: string } | null;
  consumer?: boolean;
  clientId?: string;
  dossiers?: Array<{ reference?: string; principal?: number; paid?: number; description?: string }>;
}

export interface Seeded {
  debtorId: string;
  caseId: string;
  dossierIds: string[];
  references: string[];
  phone?: string;
  email?: string;
  name: string;
}

/** A debtor with dossiers and an active case (journey 1), written straight into the store; no journey is started. */
export async function seedCase(o: SeedOptions = {}): Promise<Seeded> {
  const at = now().toISOString();
  const phone = o.phone === null ? undefined : (o.phone ?? uniquePhone());
  const tag = Math.random().toString(36).slice(2, 8);
  const email = o.email === null ? undefined : (o.email ?? `debtor-${tag}@example.invalid`);
  const name = o.name ?? 'Sam Voorbeeld';
  const input = DebtorInput.parse({
    name,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    whatsappOptIn: o.whatsappOptIn ?? false,
    language: o.language ?? 'nl',
    ...(o.address === null ? {} : { address: o.address ?? { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht' } }),
    consumer: o.consumer ?? true,
  });
  const debtorId = newId('deb');
  let c = emptyCase(debtorId, at);
  const dossierIds: string[] = [];
  const references: string[] = [];
  for (const d of o.dossiers ?? [{}]) {
    const claim: ClaimRecord = {
      dossierId: newId('dos'),
      clientId: o.clientId ?? 'acme',
      reference: d.reference ?? `INV-${tag.toUpperCase()}-${dossierIds.length + 1}`,
      description: d.description ?? 'Energierekening januari',
      principal: d.principal ?? 12_500,
      costs: 0,
      paid: d.paid ?? 0,
      dueDate: '2026-02-01',
      status: 'open',
      createdAt: at,
      updatedAt: at,
      name,
      language: input.language,
      consumer: input.consumer,
      payments: d.paid ? [{ amount: d.paid, at }] : [],
      paymentKeys: [],
    };
    const points = [
      ...(email ? [{ kind: 'email' as const, value: normaliseEmail(email) }] : []),
      ...(phone ? [{ kind: 'phone' as const, value: phone, ...(input.whatsappOptIn ? { whatsappOptIn: true } : {}) }] : []),
      ...(input.address ? [{ kind: 'address' as const, value: addressKey(input.address), address: { ...input.address, country: input.address.country ?? 'NL' } }] : []),
    ];
    c = applyEvent(c, { type: 'claim_added', at, claim, points, identity: input });
    dossierIds.push(claim.dossierId);
    references.push(claim.reference);
  }
  await createCase(c);
  const { name: idName, keys } = identityKeys(input);
  await claimIdentityKeys(idName, keys.map((k) => k.key), debtorId);
  await writeItems([
    ...Object.values(c.dossiers).map((d) => dossierItem({ ...d, debtorId })),
    ...(phone ? [phoneIndexItem(phone, debtorId)] : []),
    ...(email ? [emailIndexItem(normaliseEmail(email), debtorId)] : []),
  ]);
  return { debtorId, caseId: debtorId, dossierIds, references, phone, email, name };
}

export type StepChannel = SendAction['channel'];

/** A send action as Decide would return it, for the case as it is now. */
export async function sendAction(s: Seeded, channel: StepChannel, o: Partial<SendAction> = {}): Promise<SendAction> {
  const known = o.stepNo !== undefined && o.seenEventSeq !== undefined;
  const c = known ? undefined : await loadCase(s.caseId, now());
  if (!known && !c) throw new Error(`no case ${s.caseId}`);
  const phase = o.phase ?? 'reminder';
  const tone = o.tone ?? 'friendly';
  const awaitSeconds = o.awaitSeconds ?? 86_400;
  return {
    type: 'send',
    channel,
    stepNo: o.stepNo ?? c!.journey.stepNo + 1,
    awaitSeconds,
    seenEventSeq: o.seenEventSeq ?? c!.eventSeq,
    template: o.template ?? `${channel}/${phase}/${tone}`,
    tone,
    language: o.language ?? 'nl',
    phase,
    dossierIds: o.dossierIds ?? s.dossierIds,
    nextDecisionAt: o.nextDecisionAt ?? new Date(now().getTime() + awaitSeconds * 1000).toISOString(),
    strategy: strategyId(),
    ...(o.termEndDate ? { termEndDate: o.termEndDate } : {}),
    ...(o.costs ? { costs: o.costs } : {}),
  };
}

export interface StepEvent {
  channel: StepChannel;
  state: JourneyState;
  taskToken: string;
  executionId: string;
}

export function stepEvent(s: Seeded, action: SendAction, taskToken = `test-token-${Math.random().toString(36).slice(2)}`): StepEvent {
  return {
    channel: action.channel,
    state: { caseId: s.caseId, journeyNo: 1, action },
    taskToken,
    executionId: `arn:aws:states:eu-west-1:000000000000:execution:test:${s.caseId}`,
  };
}

const HANDLERS: Record<StepChannel, (e: unknown) => Promise<void>> = {
  email: steps.email,
  sms: steps.sms,
  whatsapp: steps.whatsapp,
  letter: steps.letter,
  call: steps.callTask,
};

/** Runs a channel step through its real Lambda handler (the event is parsed like on AWS). */
export function invokeStep(ev: StepEvent): Promise<void> {
  return HANDLERS[ev.channel](ev);
}

/** Seeds nothing: builds the action for the case as it is and runs the step once. */
export async function runStep(s: Seeded, channel: StepChannel, o: Partial<SendAction> = {}): Promise<{ action: SendAction; event: StepEvent }> {
  const action = await sendAction(s, channel, o);
  const event = stepEvent(s, action);
  await invokeStep(event);
  return { action, event };
}

export async function timeline(caseId: string): Promise<TimelineEvent[]> {
  return caseTimeline(caseId);
}

/** The case as stored now (strongly consistent). */
export async function caseState(caseId: string): Promise<CaseState> {
  const c = await loadCase(caseId, now());
  if (!c) throw new Error(`no case ${caseId}`);
  return c;
}

/** The debtor as the journey's decisions see them: opt-outs, unusable contact points, flags. */
export async function debtorFacts(caseId: string): Promise<DebtorFacts> {
  return factsOf(await caseState(caseId)).debtor;
}

export interface StepOutcome {
  status: 'sent' | 'failed' | 'sending';
  providerId?: string;
  template?: string;
  tone?: string;
  language?: string;
  meta?: Record<string, unknown>;
  reason?: string;
}

/** What became of a journey step: its 'sent' or 'send_failed' entry, or the case's claim while it is in flight. */
export async function stepOutcome(caseId: string, journeyNo: number, stepNo: number): Promise<StepOutcome | undefined> {
  const events = await caseTimeline(caseId);
  const sent = events.find((e) => e.eventId === `send-${journeyNo}-${stepNo}`);
  if (sent) return { status: 'sent', providerId: sent.providerId, template: sent.template, tone: sent.tone, language: sent.language, meta: sent.data };
  const failed = events.find((e) => e.eventId === `sendfail-${journeyNo}-${stepNo}`);
  if (failed) return { status: 'failed', reason: failed.data?.reason as string | undefined };
  const c = await loadCase(caseId, now());
  return c?.journey.claim?.stepNo === stepNo ? { status: 'sending' } : undefined;
}

// ---- forced journeys ------------------------------------------------------------------------------------------

/** The real channel steps; Decide is replaced per test. */
const { DecideFunctionArn: _decide, ...STEP_FUNCTIONS } = JOURNEY_FUNCTIONS;

export interface ForcedJourneys {
  /** the state machine: the real ASL, the real channel steps, a Decide that starts with the forced action */
  arn: string;
  /** channel step invocations (each Step Functions attempt is one) */
  invocations: { total: number; failed: number; byCase: Map<string, number> };
  /**
   * Starts a journey for the seeded case whose first Decide returns `action`. `then`: what later Decides do —
   * 'real' (the project's Decide), or 'settle-and-stop' (the real Decide runs, so it settles the previous step,
   * but the journey then ends; keeps bulk tests from sending more).
   */
  start(s: Seeded, action: SendAction, then?: 'real' | 'settle-and-stop'): Promise<string>;
  history(executionArn: string): Promise<HistoryEvent[]>;
}

/** Registers the forced-journey state machine on the harness's engine (once per harness). */
export function forcedJourneys(h: Harness, name = 'forced-journey'): ForcedJourneys {
  const plans = new Map<string, { first: SendAction; then: 'real' | 'settle-and-stop'; used: boolean }>();
  const invocations = { total: 0, failed: 0, byCase: new Map<string, number>() };
  const fn = (n: string) => `${name}-${n}`;
  const arnOf = (n: string) => `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:${fn(n)}`;
  const substitutions: Record<string, string> = { DecideFunctionArn: arnOf('Decide') };
  h.rt.sfn.registerFunction(fn('Decide'), async (payload) => {
    const { state } = payload as { state: JourneyState };
    const plan = plans.get(state.caseId);
    if (plan && !plan.used) {
      plan.used = true;
      return { caseId: state.caseId, journeyNo: state.journeyNo, action: plan.first } satisfies JourneyState;
    }
    if (plan?.then === 'settle-and-stop') {
      if (state.error) await realDecide(payload);
      return { caseId: state.caseId, journeyNo: state.journeyNo, action: { type: 'done', reason: 'forced journey stops' } } satisfies JourneyState;
    }
    return realDecide(payload);
  });
  for (const [placeholder, handler] of Object.entries(STEP_FUNCTIONS)) {
    const n = placeholder.replace(/FunctionArn$/, '');
    substitutions[placeholder] = arnOf(n);
    h.rt.sfn.registerFunction(fn(n), async (payload) => {
      const caseId = (payload as { state?: { caseId?: string } }).state?.caseId ?? '?';
      invocations.total++;
      invocations.byCase.set(caseId, (invocations.byCase.get(caseId) ?? 0) + 1);
      try {
        return await handler(payload);
      } catch (err) {
        invocations.failed++;
        throw err;
      }
    });
  }
  const arn = h.rt.sfn.createStateMachine(name, fs.readFileSync(JOURNEY_ASL, 'utf8'), substitutions);
  const sfn = new SFNClient({ endpoint: h.rt.sfnUrl, region: LOCAL_DEFAULTS.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return {
    arn,
    invocations,
    async start(s, action, then = 'real') {
      plans.set(s.caseId, { first: action, then, used: false });
      const res = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arn, name: `${s.caseId}-forced`, input: JSON.stringify({ caseId: s.caseId, journeyNo: 1 }) }),
      );
      return res.executionArn!;
    },
    async history(executionArn) {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    },
  };
}

/** How often a state was entered in an execution's history. */
export function entered(history: HistoryEvent[], state: string): number {
  return history.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === state).length;
}

// ---- PDFs -----------------------------------------------------------------------------------------------------

// the text of every page (pdf.js), and a whitespace-insensitive form of it: ./pdf-text.ts
export { norm, pdfText } from './pdf-text.js';
