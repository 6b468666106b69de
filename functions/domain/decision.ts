/**
 * The decision's shape (send / wait / done), and the legacy input: a debtor, dossiers and a whole timeline,
 * as the first version of Decide read them. The decision now reads the case's bounded facts (case/facts.ts);
 * the legacy input is folded into those facts by case/history.ts (tests, and the lazy upgrade of old cases).
 */
import type { CaseFacts, DebtorFacts, DossierFacts } from './case/facts.js';
import type { Channel, Language, Phase, Tone, Topic } from './vocabulary.js';

export type { DebtorFacts, DossierFacts };

/** A timeline event as the legacy input carries it. */
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
  lastError?: CaseFacts['lastError'];
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
      /** the experiments this contact is under (decide/experiment.ts); `assigned`: the debtor joins with it */
      experiments?: Array<{ experimentId: string; variant: string; assigned: boolean }>;
      /** a template experiment's variant (templates/<channel>/<lang>/<phase>.<variant>.hbs) */
      templateVariant?: string;
      /** an arrangement message: its template topic (the phase stays the journey's) */
      topic?: Topic;
      /** not a contact of the collection sequence (an instalment reminder, a requested offer) */
      aside?: boolean;
      /**
       * A follow-up of the 14-day letter: the last day of the letter's term ('YYYY-MM-DD') as costs are charged
       * on it — the date the message states, and records on its claims (DESIGN §5 rule 12)
       */
      termEndDate?: string;
    }
  | { kind: 'wait'; until: Date; reasons: string[] }
  | { kind: 'done'; reason: string; dossierStatus?: 'handed_over' | 'debt_help'; reasons: string[] };
