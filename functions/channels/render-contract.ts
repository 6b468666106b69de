/**
 * What the channel steps need from the template renderer (implemented in functions/channels/render.ts).
 * Templates live in templates/ per channel × tone × phase × language.
 */
import type { Channel, Language, Phase, Tone, Topic } from '../domain/vocabulary.js';

// The vocabulary is the domain's (functions/domain/vocabulary.ts); re-exported for the renderer's callers.
export { CHANNELS, LANGUAGES, PHASES, TONES } from '../domain/vocabulary.js';
export type { Channel, Language, Phase, Tone };

export interface ClaimLine {
  reference: string;
  description?: string;
  creditorName: string;
  /** integer cents */
  principal: number;
  costs: number;
  /** statutory interest up to today, when the creditor claims it (shown only when some claim has it) */
  interest?: number;
  paid: number;
  outstanding: number;
}

export interface RenderInput {
  channel: Channel;
  phase: Phase;
  tone: Tone;
  language: Language;
  /** Rendering time (the template shows dates in Europe/Amsterdam). */
  now: Date;
  debtor: { name: string; address?: { line1: string; postalCode: string; city: string; country?: string } };
  claims: ClaimLine[];
  /** integer cents, sum over claims */
  totalOutstanding: number;
  paymentLink: string;
  /** 14-day letter: the exact cost amount that will be added, and whether VAT is included */
  costNotice?: { costs: number; vatIncluded: boolean };
  agency: AgencyDetails;
  /**
   * WhatsApp only (added by the renderer, optional): true when the debtor's last WhatsApp message is less than
   * 24 h old, so free text may be sent. Absent or false → outside the window: an approved template is used.
   */
  whatsappWindowOpen?: boolean;
  /** Optional (added by the renderer): a date the debtor is asked to pay or respond by (final notice, hand-over). */
  respondBy?: Date;
  /**
   * Optional: the last day ('YYYY-MM-DD', Europe/Amsterdam) of the 14-day letter's term for these claims, as costs
   * are charged on it (costs.ts `costsDue(...).termEnd`, Atw-extended). Messages after the letter (e-mail, SMS,
   * WhatsApp, call in the fourteen_day_letter phase) state this date instead of a term of their own; without it
   * they refer to "the term in the letter" and name no date. The 14-day letter itself never shows it: its term is
   * counted from delivery. Whatever date a message showed must be passed to costsDue as a stated term end.
   */
  termEndDate?: string;
  /** Optional: a template experiment's variant; `<phase>.<variant>.hbs` is used when it exists for the channel. */
  variant?: string;
  /**
   * Optional (issue 9): an arrangement message. Its template is `<channel>/<lang>/<topic>.hbs` when that file exists
   * (SMS and e-mail), else the phase's own. `offer` lists the plans (reply 1, 2, 3), with the debt-help referral
   * when `debtHelp`; `instalment` is the instalment a reminder is about.
   */
  topic?: Topic;
  offer?: { options: Array<{ no: number; months: number; monthly: number; firstDue: string }>; debtHelp: boolean };
  instalment?: { no: number; of: number; amount: number; dueDate: string };
}

export interface AgencyDetails {
  name: string;
  wkiNumber: string;
  phone: string;
  email: string;
  website: string;
  address: string;
  /** Optional (added by the renderer): account for bank transfers, shown on letters and emails when present. */
  iban?: string;
}

export interface RenderedMessage {
  /** e.g. "email/reminder/friendly" — the template id recorded on the timeline and in the outbox */
  template: string;
  language: Language;
  subject?: string;
  text: string;
  html?: string;
  /** letters only */
  pdf?: Buffer;
  /**
   * letters only, instead of `pdf` when letters render lazily (MAATWERK_LAZY_LETTERS=true, the simulator): the PDF
   * is made when storage or the print service asks for it (once), so a simulated letter costs no PDF
   */
  pdfLater?: () => Promise<Buffer>;
  /** SMS only: GSM-7 or UCS-2 and the number of segments */
  sms?: {
    encoding: 'GSM-7' | 'UCS-2';
    segments: number;
    /** Optional (added by the renderer): length in the encoding's units (GSM-7 extension chars count 2; UCS-2 code units). */
    characters?: number;
  };
  /** WhatsApp outside the 24 h window: the approved template and its variables */
  whatsappTemplate?: { contentSid: string; variables: Record<string, string> };
}
