/**
 * The contract between the Decide step and the domain's decision logic. Pure data: the handler loads it
 * from the store, the domain decides, the handler records and returns the action.
 */
import type { Channel, Language, Phase, Tone } from '../channels/render-contract.js';

export interface DebtorFacts {
  consumer: boolean;
  language: Language;
  hasEmail: boolean;
  hasPhone: boolean;
  hasAddress: boolean;
  whatsappOptIn: boolean;
  optOuts: string[];
  unusable: string[];
  flags: string[];
  incomeSource?: { type: string; [k: string]: unknown };
  lastInboundAt?: string;
}

export interface DossierFacts {
  dossierId: string;
  clientId: string;
  status: string;
  principal: number;
  costs: number;
  paid: number;
  dueDate: string;
  createdAt: string;
  /** the creditor cannot deduct VAT, so VAT is added to the collection costs */
  vatOnCosts?: boolean;
}

export interface HistoryEvent {
  at: string;
  type: string;
  channel?: string;
  stepNo?: number;
  data?: Record<string, unknown>;
}

export interface DecisionInput {
  now: Date;
  debtor: DebtorFacts;
  /** all the debtor's dossiers in this journey's scope, any status */
  dossiers: DossierFacts[];
  journey: { journeyNo: number; stepNo: number; startedAt: string; lastContactAt?: string };
  history: HistoryEvent[];
  /** the previous step failed after its retries: fail over */
  lastError?: { channel?: string; stepNo?: number; error: string };
}

export type Decision =
  | {
      kind: 'send';
      /** the journey step this send is (greater than journey.stepNo); sends are idempotent on it */
      stepNo: number;
      channel: Channel;
      phase: Phase;
      tone: Tone;
      language: Language;
      template: string;
      dossierIds: string[];
      /** when Decide should look again if nothing happens (the next planned moment) */
      nextDecisionAt: Date;
      reasons: string[];
    }
  | { kind: 'wait'; until: Date; reasons: string[] }
  | { kind: 'done'; reason: string; dossierStatus?: 'handed_over'; reasons: string[] };
