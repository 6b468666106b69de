/**
 * Creditor notifications (issue 8 item 5; README "Creditor notifications"): the outbox and its delivery.
 *
 * Every timeline entry goes through store/timeline.ts; the few that may notify a creditor (domain/notifications.ts
 * `mayNotify`: replies, status changes, payments in full, hand-overs, flags, call outcomes) come here after they are
 * written. For each creditor whose dossiers they are about and who registered a webhook, one notification item is
 * written with a conditional put — its id is fixed by the fact, so a retried request or a replayed provider webhook
 * finds it and makes no second — and its first attempt is a one-time schedule (EventBridge Scheduler; locally the
 * emulator) that invokes the Deliveries function at once. Each attempt sets the schedule of the next before it calls
 * the receiver, so a crash mid-attempt still leaves a retry: after 1 min, 5 min, 30 min, 2 h, 6 h, 12 h and 24 h
 * (8 attempts over ~44.6 h), then the notification is marked failed. Any 2xx ends it; every other answer (also a
 * 4xx: a receiver that refuses while it is being fixed still wants the event), a redirect, a network error or no
 * answer within 10 s is retried. Delivery is at least once: a receiver deduplicates on the event id.
 *
 * Logs carry ids, types and HTTP statuses only — never the URL's query, the body or anything about the debtor.
 */
import { type DossierOwner, MAX_ATTEMPTS, mayNotify, ownersOf, type NotificationBody, notificationsFor, RETRY_DELAYS_S, type SourceEntry } from '../domain/notifications.js';
import { claimsOf } from '../domain/case/state.js';
import { logger } from '../shared/logger.js';
import { readCase } from '../store/cases.js';
import { claimAttempt, createNotification, getNotification, getWebhook, settleAttempt, type WebhookRegistration } from '../store/notifications.js';
import { clearTimer, setTimer } from '../services/timers.js';
import { ATTEMPT_HEADER, EVENT_ID_HEADER, sign, SIGNATURE_HEADER } from './signature.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { allowLoopbackWebhooks, NOT_PUBLIC, publicOnlyLookup } from '../shared/public-address.js';

/** How long a receiver has to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

const timerName = (id: string, attempt: number) => `n-${id}-${attempt}`;

/**
 * Registrations read by the outbox, kept per container for a minute: most timeline entries that may notify belong to
 * creditors without a webhook, and reading the registration for each would cost a request per entry. Why a minute:
 * a new registration (or a removal) takes effect within it on every function; this process sees its own at once.
 */
const REGISTRATION_TTL_MS = 60_000;
const registrations = new Map<string, { reg: WebhookRegistration | undefined; until: number }>();

export function forgetRegistration(clientId: string): void {
  registrations.delete(clientId);
}

async function registrationOf(clientId: string): Promise<WebhookRegistration | undefined> {
  const cached = registrations.get(clientId);
  if (cached && cached.until > Date.now()) return cached.reg;
  const reg = await getWebhook(clientId);
  registrations.set(clientId, { reg, until: Date.now() + REGISTRATION_TTL_MS });
  return reg;
}

/** Every dossier an entry may be about (its own, and those a hand-over names). */
const dossiersOf = (e: SourceEntry): string[] => [...e.dossierIds, ...(Array.isArray(e.data?.handedOver) ? (e.data.handedOver as unknown[]).filter((x): x is string => typeof x === 'string') : [])];

/**
 * After timeline entries of case `caseId` were written: the notifications they give, written once each and their
 * first attempt scheduled. Costs nothing for entries that notify nobody; otherwise the owners of their dossiers
 * (from the dossier items written with them, else one case read), the registration of each creditor concerned
 * (cached for a minute) and one conditional put per notification.
 */
export async function notifyCreditors(caseId: string, entries: readonly SourceEntry[], now: Date, known: readonly DossierOwner[] = []): Promise<void> {
  const candidates = entries.filter(mayNotify);
  if (!candidates.length) return;
  const knownIds = new Set(known.map((o) => o.dossierId));
  let owners: readonly DossierOwner[] = known;
  if (!candidates.every((e) => dossiersOf(e).every((id) => knownIds.has(id)))) {
    const stored = await readCase(caseId);
    if (stored?.v !== 2) return;
    owners = ownersOf(claimsOf(stored.item));
  }
  const bodies = candidates.flatMap((e) => notificationsFor(caseId, e, owners));
  if (!bodies.length) return;
  const hooks = new Map<string, WebhookRegistration | undefined>();
  for (const clientId of new Set(bodies.map((b) => b.clientId))) hooks.set(clientId, await registrationOf(clientId));
  for (const body of bodies) {
    if (!hooks.get(body.clientId)) continue;
    await enqueue(body, now);
  }
}

async function enqueue(body: NotificationBody, now: Date): Promise<void> {
  const created = await createNotification({ id: body.id, clientId: body.clientId, body, status: 'pending', attempts: 0, createdAt: now.toISOString() });
  if (!created) {
    // Written before: schedule the first attempt again only if it never ran (a crash between the put and the
    // schedule). The schedule has a fixed name, and the attempt is claimed on the item, so nothing goes twice.
    const existing = await getNotification(body.id);
    if (existing?.status !== 'pending' || existing.attempts > 0) return;
  } else logger.info('creditor notification queued', { notificationId: body.id, type: body.type, clientId: body.clientId });
  await setTimer(timerName(body.id, 1), now, { kind: 'notify', id: body.id, attempt: 1 });
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

/** Attempt `attempt` (1-based) of notification `id`: the Deliveries function runs it when its schedule fires. */
export async function deliverNotification(id: string, attempt: number, now: Date): Promise<DeliveryOutcome> {
  const n = await getNotification(id);
  if (!n || n.status !== 'pending' || n.attempts !== attempt - 1) return 'skipped';
  const at = now.toISOString();
  const hook = await getWebhook(n.clientId);
  if (!hook) {
    // The client removed its webhook meanwhile: nothing to deliver to.
    await settleAttempt(id, 'no_webhook', 'cancelled', at);
    return 'skipped';
  }
  if (!(await claimAttempt(id, attempt - 1, at))) return 'skipped';
  const last = attempt >= MAX_ATTEMPTS;
  // The next attempt is scheduled before this one calls out: a crash here still leaves the retry.
  if (!last) await setTimer(timerName(id, attempt + 1), new Date(now.getTime() + RETRY_DELAYS_S[attempt - 1] * 1000), { kind: 'notify', id, attempt: attempt + 1 });
  const result = await post(hook, n.body, attempt, now);
  const ok = /^2\d\d$/.test(result);
  await settleAttempt(id, result, ok ? 'delivered' : last ? 'failed' : 'pending', at);
  if (ok && !last) await clearTimer(timerName(id, attempt + 1));
  logger.info('creditor notification attempt', { notificationId: id, type: n.body.type, attempt, result, outcome: ok ? 'delivered' : last ? 'failed' : 'retry' });
  return ok ? 'delivered' : last ? 'failed' : 'retry';
}

/** One POST to the receiver: its HTTP status, or "timeout" / "network" / "not_public". */
async function post(hook: WebhookRegistration, body: NotificationBody, attempt: number, now: Date): Promise<string> {
  const raw = JSON.stringify(body);
  return postOnce(new URL(hook.url), raw, {
    'content-type': 'application/json',
    'user-agent': 'Maatwerk-Webhooks/1',
    [SIGNATURE_HEADER]: sign(hook.secret, Math.floor(now.getTime() / 1000), raw),
    [EVENT_ID_HEADER]: body.id,
    [ATTEMPT_HEADER]: String(attempt),
  });
}

/**
 * node:http(s), not fetch: its `lookup` option checks the very address the connection goes to (the name may resolve
 * elsewhere than at registration, or elsewhere a moment later; see publicOnlyLookup). Not on the local runtime,
 * whose receiver is on loopback. Redirects are not followed; the body of the answer is read and dropped.
 */
export function postOnce(url: URL, raw: string, headers: Record<string, string>, lookup: LookupFunction | undefined = allowLoopbackWebhooks() ? undefined : publicOnlyLookup()): Promise<string> {
  return new Promise((resolve) => {
    let timedOut = false;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(raw)) }, ...(lookup ? { lookup } : {}) }, (res) => {
      res.resume();
      const done = () => resolve(String(res.statusCode));
      res.once('end', done);
      res.once('error', done);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, DELIVERY_TIMEOUT_MS);
    req.once('close', () => clearTimeout(timer));
    req.once('error', (err: NodeJS.ErrnoException) => resolve(timedOut ? 'timeout' : err.code === NOT_PUBLIC ? 'not_public' : 'network'));
    req.end(raw);
  });
}
