/**
 * Creditor notifications (issue 8 item 5): which timeline entries become which notification, for which creditor.
 * Pure: the entry as the timeline stores it (functions/store/timeline.ts) and who owns the dossiers it is about.
 *
 * A creditor is only notified about its own dossiers, and sees no more than its own API views show
 * (domain/case/visibility.ts): a reply to a message that also covered another creditor's claims carries its intent,
 * never the debtor's words; no names, contact details or amounts travel at all (the creditor reads those through the
 * API). Each notification has an id fixed by (creditor, case, timeline entry, type), so the same fact written again —
 * a retried request, a replayed webhook — is the same notification, and a receiver can deduplicate on it.
 */
import { createHash } from 'node:crypto';

export const NOTIFICATION_TYPES = [
  'reply.received',
  'promise.made',
  'dispute.opened',
  'debt_help.reported',
  'vulnerability.flagged',
  'dossier.paid',
  'dossier.handed_over',
  'dossier.withdrawn',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Seconds to wait after failed attempt n (1-based) before attempt n + 1: 1 min … 24 h, about 44.6 h in all. */
export const RETRY_DELAYS_S = [60, 300, 1800, 7200, 21_600, 43_200, 86_400] as const;
/** The first attempt and one per delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_S.length + 1;

/** A timeline entry as stored (the fields this module reads). */
export interface SourceEntry {
  eventId: string;
  at: string;
  type: string;
  channel?: string;
  dossierIds: readonly string[];
  text?: string;
  intent?: string;
  confidence?: number;
  data?: Record<string, unknown>;
}

export interface DossierOwner {
  dossierId: string;
  clientId: string;
  reference: string;
}

/** The owners of a case's dossiers (its claims), as an entry about them needs them. */
export const ownersOf = (claims: ReadonlyArray<DossierOwner>): DossierOwner[] => claims.map((d) => ({ dossierId: d.dossierId, clientId: d.clientId, reference: d.reference }));

/** What a creditor's webhook receives (the JSON body, signed as sent). */
export interface NotificationBody {
  id: string;
  type: NotificationType;
  occurredAt: string;
  clientId: string;
  debtorId: string;
  dossierIds: string[];
  /** the creditor's own references of those dossiers, in the same order */
  references: string[];
  data: Record<string, unknown>;
}

const DEBT_HELP_FLAGS = new Set(['wsnp', 'schuldhulp', 'moratorium']);
const CALL_OUTCOME_TYPES: Readonly<Record<string, NotificationType>> = {
  promise_to_pay: 'promise.made',
  dispute: 'dispute.opened',
  vulnerable: 'vulnerability.flagged',
};

/** The entry types that may notify anyone: everything else costs no read. */
const SOURCE_TYPES: ReadonlySet<string> = new Set(['replied', 'status', 'dispute_resolved', 'paid', 'journey_ended', 'flags', 'call_outcome']);

export function mayNotify(e: Pick<SourceEntry, 'type' | 'data'>): boolean {
  if (!SOURCE_TYPES.has(e.type)) return false;
  // A journey's end is news for a creditor only when it handed dossiers over (every other end has its own entry).
  if (e.type === 'journey_ended') return Array.isArray(e.data?.handedOver) && e.data.handedOver.length > 0;
  return true;
}

/** The notification id: the same for the same fact, whatever wrote it how often. */
export function notificationId(clientId: string, caseId: string, entryId: string, type: NotificationType): string {
  return `ntf_${createHash('sha256').update(`${clientId}\n${caseId}\n${entryId}\n${type}`).digest('hex').slice(0, 32)}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What one entry means, before it is split per creditor: (type, data, which of its dossiers). */
interface Meaning {
  type: NotificationType;
  data: Record<string, unknown>;
  dossierIds?: readonly string[];
  /** the data for a creditor whose claims alone the entry is about (the reply's own words) */
  ownOnly?: Record<string, unknown>;
}

function meanings(e: SourceEntry): Meaning[] {
  const d = e.data ?? {};
  switch (e.type) {
    case 'replied': {
      const via = str(d.via) ?? e.channel ?? 'sms';
      const intent = e.intent ?? str(d.intent) ?? 'unclear';
      const also = Array.isArray(d.also) ? (d.also as unknown[]).filter((x): x is string => typeof x === 'string') : [];
      const all = new Set([intent, ...also]);
      const date = str(d.date);
      const out: Meaning[] = [
        {
          type: 'reply.received',
          data: { intent, ...(e.confidence !== undefined ? { confidence: e.confidence } : {}), ...(also.length ? { also } : {}), channel: via, ...(date ? { date } : {}) },
          ...(e.text !== undefined && via !== 'page' ? { ownOnly: { text: e.text } } : {}),
        },
      ];
      if (all.has('promise_to_pay') || (all.has('postpone') && date)) out.push({ type: 'promise.made', data: { by: 'debtor', channel: via, date: date ?? null } });
      if (all.has('dispute')) out.push({ type: 'dispute.opened', data: { by: 'debtor', channel: via } });
      if (all.has('debt_help')) out.push({ type: 'debt_help.reported', data: { by: 'debtor', channel: via } });
      if (all.has('vulnerable')) out.push({ type: 'vulnerability.flagged', data: { by: 'debtor', channel: via } });
      return out;
    }
    case 'status':
      if (d.action === 'withdraw') return [{ type: 'dossier.withdrawn', data: { by: 'creditor' } }];
      if (d.action === 'dispute') return [{ type: 'dispute.opened', data: { by: 'creditor' } }];
      return [];
    case 'dispute_resolved':
      return d.inFavourOf === 'debtor' ? [{ type: 'dossier.withdrawn', data: { by: 'dispute_resolution', inFavourOf: 'debtor' } }] : [];
    case 'paid':
      return [{ type: 'dossier.paid', data: {} }];
    case 'journey_ended': {
      const ids = Array.isArray(d.handedOver) ? (d.handedOver as unknown[]).filter((x): x is string => typeof x === 'string') : [];
      return ids.length ? [{ type: 'dossier.handed_over', data: {}, dossierIds: ids }] : [];
    }
    case 'flags': {
      const add = Array.isArray(d.add) ? (d.add as unknown[]).filter((x): x is string => typeof x === 'string') : [];
      const by = str(d.by) ?? 'creditor';
      const out: Meaning[] = [];
      if (add.includes('vulnerable')) out.push({ type: 'vulnerability.flagged', data: { by, flag: 'vulnerable' } });
      const debtHelp = add.filter((f) => DEBT_HELP_FLAGS.has(f));
      if (debtHelp.length) out.push({ type: 'debt_help.reported', data: { by, flags: debtHelp } });
      return out;
    }
    case 'call_outcome': {
      const type = CALL_OUTCOME_TYPES[str(d.outcome) ?? ''];
      return type ? [{ type, data: { by: 'agent_call', outcome: d.outcome } }] : [];
    }
    default:
      return [];
  }
}

/**
 * The notifications one timeline entry gives, one per creditor whose dossiers it is about and per meaning.
 * `owners`: the case's claims (every creditor's), to tell whose each dossier is.
 */
export function notificationsFor(caseId: string, e: SourceEntry, owners: readonly DossierOwner[]): NotificationBody[] {
  if (!mayNotify(e)) return [];
  const byId = new Map(owners.map((o) => [o.dossierId, o]));
  const out: NotificationBody[] = [];
  for (const m of meanings(e)) {
    const about = (m.dossierIds ?? e.dossierIds).filter((id) => byId.has(id));
    const clients = [...new Set(about.map((id) => byId.get(id)!.clientId))];
    for (const clientId of clients) {
      const own = about.filter((id) => byId.get(id)!.clientId === clientId);
      // The debtor's words only to the creditor whose claims alone the entry is about (as its views show them).
      const alone = e.dossierIds.every((id) => byId.get(id)?.clientId === clientId);
      out.push({
        id: notificationId(clientId, caseId, e.eventId, m.type),
        type: m.type,
        occurredAt: e.at,
        clientId,
        debtorId: caseId,
        dossierIds: own,
        references: own.map((id) => byId.get(id)!.reference),
        data: { ...m.data, ...(alone && m.ownOnly ? m.ownOnly : {}) },
      });
    }
  }
  return out;
}
