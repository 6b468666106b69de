/**
 * Resolving a dispute on a dossier (POST /v1/dossiers/{id}/dispute/resolve): in the creditor's favour the dossier is
 * worked on again (the journey resumes, or a new one starts when the old one ended while the dossier was paused), in
 * the debtor's favour it is withdrawn. One implementation for every dispute, however it began: the debtor's reply, a
 * call outcome or the creditor's POST …/dispute all pause the dossier, and the domain event `dispute_resolved`
 * (domain/case/events.ts) ends it.
 *
 * Idempotent: the same request again (a retry) finds the dossier resolved and answers as the first time, changing
 * nothing; a dossier that is not disputed is a 409 `not_disputed`, unless `quiet` (then nothing happens).
 */
import type { CaseEvent } from '../domain/case/events.js';
import { HttpError } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, dossierItem } from '../store/dossiers.js';
import { appendEvents } from '../store/timeline.js';
import { mutateCase, type Mutation } from './case.js';
import { startOrWake } from './journey-control.js';

/** The status reasons a resolution leaves (a retry recognises its own result by them). */
const REASON = {
  creditor: 'dispute resolved in the creditor’s favour',
  debtor: 'dispute resolved in the debtor’s favour: withdrawn',
} as const;

export async function resolveDispute(
  client: Client,
  dossier: DossierRecord,
  inFavourOf: 'creditor' | 'debtor',
  now: Date,
  note?: string,
): Promise<{ status: string; mutation: Mutation }> {
  const at = now.toISOString();
  const reason = REASON[inFavourOf];
  let opened = false;
  const m = await mutateCase(dossier.debtorId, now, (c): CaseEvent[] | undefined => {
    const d = c.dossiers[dossier.dossierId];
    if (!d) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
    if (d.status !== 'paused') {
      // Resolved this way already (a retry): the same answer. Otherwise there is no dispute to resolve.
      if (d.statusReason === reason) return undefined;
      throw new HttpError(409, 'not_disputed', `Dossier ${d.dossierId} is ${d.status} and not disputed; there is nothing to resolve.`);
    }
    opened = inFavourOf === 'creditor' && c.journey.status === 'closed';
    return [{ type: 'dispute_resolved', at, dossierIds: [dossier.dossierId], inFavourOf, reason }, ...(opened ? [{ type: 'journey_opened' as const, at }] : [])];
  });
  if (!m) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
  const d = m.after.dossiers[dossier.dossierId];
  // The entry and the projection are keyed by when the dispute was resolved, so a retry (after a crash, or the same
  // request again) writes the same ones, never a second.
  if (d?.statusAt && d.statusReason === reason) {
    await appendEvents(
      m.after.caseId,
      [
        {
          eventId: `resolved-${dossier.dossierId}-${d.statusAt}`,
          at: d.statusAt,
          type: 'dispute_resolved',
          detail: `Dispute resolved in the ${inFavourOf}’s favour${note ? ` (${note})` : ''}: ${inFavourOf === 'creditor' ? 'the journey resumes for this dossier' : 'the dossier is withdrawn'}.`,
          dossierIds: [dossier.dossierId],
          data: { inFavourOf, by: client.clientId },
        },
      ],
      [dossierItem({ ...d, debtorId: m.after.caseId })],
    );
    if (m.changed) {
      metrics.disputeResolved(inFavourOf);
      logger.info('dispute resolved', { caseId: m.after.caseId, inFavourOf });
    }
  }
  // The journey goes on with the dossier: a new one if the old ended while everything was paused; a retry starts the
  // journey a first attempt opened but did not get to start.
  await startOrWake(m.after, { opened: m.changed && opened, ...(m.changed ? { wake: `dispute_resolved:${inFavourOf}` } : {}) }, now);
  return { status: d?.status ?? dossier.status, mutation: m };
}
