/**
 * What a creditor does to one of its dossiers besides paying (API §7): withdraw it, dispute it, resolve the
 * dispute. Each is an event on the case (domain/case/events.ts), then the timeline entry and the dossier's
 * projection, then the journey: a withdrawal or a dispute wakes it, so nothing more is sent about the dossier
 * (a step decided before the change finds the case changed and sends nothing). Resolving is services/disputes.ts
 * (the one resolution of every dispute, the debtor's or the creditor's): it wakes the journey — or starts the next
 * one when the last had ended for want of open dossiers.
 *
 * Idempotent: the same request again (a retry) answers as the first time and changes nothing; a change the
 * dossier's status does not allow is a 409 and changes nothing.
 */
import type { CaseEvent } from '../domain/case/events.js';
import type { ClaimRecord } from '../domain/case/state.js';
import type { DossierStatus } from '../domain/vocabulary.js';
import { HttpError } from '../shared/http.js';
import type { ResolveDisputeBody, StatusChangeBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, dossierItem } from '../store/dossiers.js';
import { appendEvents } from '../store/timeline.js';
import { mutateCase } from './case.js';
import { resolveDispute } from './disputes.js';
import { openedJourney, startOrWake } from './journey-control.js';
import { dossierView } from './views.js';

export type StatusAction = 'withdraw' | 'dispute';

interface Rule {
  /** the status the action leads to */
  to: DossierStatus;
  from: readonly DossierStatus[];
  /** the dossier is already where the action leads (a retry): answer as the first time */
  done: (d: ClaimRecord) => boolean;
  event: (dossierId: string, at: string, reason: string) => CaseEvent;
  refused: (d: ClaimRecord) => HttpError;
  detail: (reason: string) => string;
  eventId: string;
  /** how the reducer words the status reason this action gives (domain/case/events.ts) */
  reasonPrefix: string;
}

const RULES: Record<StatusAction, Rule> = {
  withdraw: {
    to: 'withdrawn',
    from: ['open', 'paused', 'debt_help'],
    done: (d) => d.status === 'withdrawn',
    event: (dossierId, at, reason) => ({ type: 'dossier_withdrawn', at, dossierId, reason }),
    refused: (d) => new HttpError(409, 'not_withdrawable', `Dossier ${d.dossierId} is ${d.status}; only an open, paused or debt-help dossier can be withdrawn.`),
    detail: (reason) => `Withdrawn by the creditor${reason ? ` (${reason})` : ''}: outreach for this dossier stopped.`,
    eventId: 'withdrawn',
    reasonPrefix: 'withdrawn by the creditor',
  },
  dispute: {
    to: 'paused',
    from: ['open'],
    done: (d) => d.status === 'paused',
    event: (dossierId, at, reason) => ({ type: 'dispute_opened', at, dossierId, reason }),
    refused: (d) => new HttpError(409, 'not_disputable', `Dossier ${d.dossierId} is ${d.status}; only an open dossier can be disputed.`),
    detail: (reason) => `Disputed${reason ? ` (${reason})` : ''}: the dossier is paused until the dispute is resolved.`,
    eventId: 'disputed',
    reasonPrefix: 'disputed',
  },
};

/** POST …/dispute/resolve: the dispute's one resolution (services/disputes.ts), answered with the dossier. */
export async function resolveDossierDispute(client: Client, dossier: DossierRecord, body: ResolveDisputeBody, now: Date) {
  const { mutation } = await resolveDispute(client, dossier, body.inFavourOf ?? 'creditor', now, body.reason);
  return dossierView(client, dossier, now, mutation.after);
}

export async function changeDossierStatus(client: Client, dossier: DossierRecord, action: StatusAction, body: StatusChangeBody, now: Date) {
  const rule = RULES[action];
  const at = now.toISOString();
  const reason = body.reason ?? '';

  const m = await mutateCase(dossier.debtorId, now, (c) => {
    const d = c.dossiers[dossier.dossierId];
    if (!d) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
    if (rule.done(d)) return [];
    if (!rule.from.includes(d.status as DossierStatus)) throw rule.refused(d);
    return [rule.event(d.dossierId, at, reason)];
  });
  if (!m) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
  const d = m.after.dossiers[dossier.dossierId];
  // The entry is keyed by when the status changed, so a retry writes the same one again, never a second; a dossier
  // that got there another way (paused by the debtor's own dispute) has its entry already.
  const statusReason = d.statusReason ?? '';
  const ours = statusReason.startsWith(rule.reasonPrefix);
  const shown = m.changed ? reason : statusReason.slice(rule.reasonPrefix.length).replace(/^:\s*/, '');
  await appendEvents(
    m.after.caseId,
    ours && d.statusAt
      ? [
          {
            eventId: `${rule.eventId}-${d.dossierId}`,
            at: d.statusAt,
            type: 'status',
            detail: rule.detail(shown),
            dossierIds: [d.dossierId],
            data: { status: d.status, action, ...(shown ? { reason: shown } : {}) },
          },
        ]
      : [],
    [dossierItem({ ...d, debtorId: m.after.caseId })],
  );
  await startOrWake(m.after, { opened: m.changed && openedJourney(m.before, m.after), ...(m.changed ? { wake: `dossier_${action}` } : {}) }, now);
  return dossierView(client, dossier, now, m.after);
}
