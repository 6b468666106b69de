/**
 * The debtor page's link in a message (`/p/<token>`, domain/page-token.ts): one per debtor and message — a journey
 * step's message, or the answer to a reply — sealed, expiring after PAGE_LINK_DAYS, naming the creditors whose
 * claims the message was about (the page shows and acts on those only). An instalment reminder's link pays exactly
 * that instalment.
 */
import { createHash } from 'node:crypto';
import { type CaseState, clientsOf } from '../domain/case/state.js';
import { creditorMask, sealPageToken } from '../domain/page-token.js';
import { pageLinkDays, pageTokenSecret, paymentLinkBase } from '../shared/config.js';

/** The link for journey step `stepNo`'s message about `dossierIds`. */
export async function pageLinkFor(c: Pick<CaseState, 'caseId' | 'journey' | 'dossiers'>, stepNo: number, dossierIds: readonly string[], now: Date, instalment = 0): Promise<string> {
  const creditors = creditorMask(clientsOf(c), clientsOf(c, dossierIds));
  const token = sealPageToken(
    { debtorId: c.caseId, journeyNo: c.journey.journeyNo, stepNo, expiresAt: now.getTime() + pageLinkDays() * 86_400_000, instalment, ...(creditors ? { creditors } : {}) },
    await pageTokenSecret(),
  );
  return `${paymentLinkBase()}${token}`;
}

/**
 * The step number an answer's link carries: above every journey step's (0x8000 and up), from the inbound message id,
 * so each answer has a link of its own.
 */
export function answerStepNo(messageSid: string): number {
  return 0x8000 | (createHash('sha256').update(messageSid).digest().readUInt16BE(0) & 0x7fff);
}

/** The link in the answer to reply `messageSid`, about the reply's claims. */
export const answerLinkFor = (c: Pick<CaseState, 'caseId' | 'journey' | 'dossiers'>, messageSid: string, dossierIds: readonly string[], now: Date): Promise<string> =>
  pageLinkFor(c, answerStepNo(messageSid), dossierIds, now);
