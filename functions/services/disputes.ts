/**
 * Resolving a dispute on a dossier: in the creditor's favour the dossier is worked on again (the journey resumes, or
 * a new one starts when the old one ended while the dossier was paused), in the debtor's favour it is withdrawn.
 *
 * The smallest piece issue 8 needs for "a dispute resolved for the creditor resumes the journey": a domain event
 * (`dispute_resolved`, domain/case/events.ts) and this service function. The route `POST
 * /v1/dossiers/{id}/dispute/resolve` is added on another branch and calls this.
 */
import type { CaseEvent } from '../domain/case/events.js';
import { claimsOf, isActive } from '../domain/case/state.js';
import { logger } from '../shared/logger.js';
import type { Client } from '../store/clients.js';
import type { DossierRecord } from '../store/dossiers.js';
import { appendEvents } from '../store/timeline.js';
import { mutateCase } from './case.js';
import { actionFor } from './decide.js';
import { changedProjections } from './engagement.js';
import { startJourney, wakeJourney } from './journeys.js';

export async function resolveDispute(client: Client, dossier: DossierRecord, inFavourOf: 'creditor' | 'debtor', now: Date, note?: string): Promise<{ status: string }> {
  const at = now.toISOString();
  const reason = inFavourOf === 'creditor' ? 'dispute resolved in the creditor’s favour' : 'dispute resolved in the debtor’s favour: withdrawn';
  let opened = false;
  const m = await mutateCase(dossier.debtorId, now, (c): CaseEvent[] | undefined => {
    if (c.dossiers[dossier.dossierId]?.status !== 'paused') return undefined;
    opened = inFavourOf === 'creditor' && c.journey.status === 'closed';
    return [{ type: 'dispute_resolved', at, dossierIds: [dossier.dossierId], inFavourOf, reason }, ...(opened ? [{ type: 'journey_opened' as const, at }] : [])];
  });
  if (!m) return { status: dossier.status };
  const d = m.after.dossiers[dossier.dossierId];
  if (m.changed) {
    await appendEvents(
      m.after.caseId,
      [{ eventId: `resolved-${dossier.dossierId}-${at}`, at, type: 'dispute_resolved', detail: `Dispute resolved by ${client.clientId}: ${reason}.${note ? ' A note was left.' : ''}`, dossierIds: [dossier.dossierId], data: { inFavourOf } }],
      changedProjections(m.before, m.after),
    );
    // The journey goes on with the dossier: a new one if the old ended while everything was paused.
    if (opened && isActive(m.after) && claimsOf(m.after).some((x) => x.status === 'open')) await startJourney(m.after, (await actionFor(m.after, now)).action);
    else await wakeJourney(m.after, `dispute_resolved:${inFavourOf}`);
    logger.info('dispute resolved', { caseId: m.after.caseId, inFavourOf });
  }
  return { status: d?.status ?? dossier.status };
}
