/**
 * What the channel steps need from the template renderer (implemented in functions/channels/render.ts).
 * Templates live in templates/ per channel × tone × phase × language.
 */
// The one list of each; the API schemas, the strategy schema and the renderer all use these.
export const CHANNELS = ['email', 'sms', 'whatsapp', 'letter', 'call'] as const;
export const TONES = ['friendly', 'neutral', 'firm'] as const;
export const LANGUAGES = ['nl', 'en'] as const;
/** Journey phases (DESIGN §5 and issue 3): friendly reminder → 14-day letter → demand → final notice → hand-over. */
export const PHASES = ['reminder', 'fourteen_day_letter', 'demand', 'final_notice', 'handover'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Tone = (typeof TONES)[number];
export type Language = (typeof LANGUAGES)[number];
export type Phase = (typeof PHASES)[number];

export interface ClaimLine {
  reference: string;
  description?: string;
  creditorName: string;
  /** integer cents */
  principal: number;
  costs: number;
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
