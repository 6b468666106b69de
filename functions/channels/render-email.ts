/**
 * The message body's plain text from the block markup (render-format.ts): the email's text part and the letter's
 * text; and what the email's HTML (render-email-html.ts) and the letter's PDF (render-pdf.ts) share with it.
 */
import type { Block } from './render-format.js';
import { lineText } from './render-format.js';
import type { ClaimLine } from './render-contract.js';

export interface LayoutLabels {
  reference: string;
  description: string;
  principal: string;
  costs: string;
  interest: string;
  paid: string;
  outstanding: string;
  total: string;
  payButton: string;
  payOnline: string;
  /** empty when the agency has no IBAN */
  transfer: string;
}

export interface BodyData {
  claims: ClaimLine[];
  totalOutstanding: number;
  paymentLink: string;
  money: (cents: number) => string;
  labels: LayoutLabels;
}

/** Some claim carries statutory interest: the tables get an interest column. */
export const showsInterest = (claims: readonly ClaimLine[]) => claims.some((c) => (c.interest ?? 0) > 0);
/** The tables show principal, costs (and interest) and paid when any of them is not the whole story. */
export const showsDetail = (claims: readonly ClaimLine[]) => claims.some((c) => c.costs !== 0 || c.paid !== 0) || showsInterest(claims);

export function claimDescription(c: ClaimLine): string {
  return c.description ? `${c.description}, ${c.creditorName}` : c.creditorName;
}

function claimsText(d: BodyData): string {
  const { labels: l, money } = d;
  const interest = showsInterest(d.claims);
  const lines = d.claims.map((c) => {
    const detail =
      c.costs !== 0 || c.paid !== 0 || (c.interest ?? 0) !== 0
        ? ` (${l.principal.toLowerCase()} ${money(c.principal)}, ${l.costs.toLowerCase()} ${money(c.costs)}${interest ? `, ${l.interest.toLowerCase()} ${money(c.interest ?? 0)}` : ''}, ${l.paid.toLowerCase()} ${money(c.paid)})`
        : '';
    return `- ${l.reference} ${c.reference}, ${claimDescription(c)}: ${l.outstanding.toLowerCase()} ${money(c.outstanding)}${detail}`;
  });
  return [...lines, `${l.total}: ${money(d.totalOutstanding)}`].join('\n');
}

export function blocksToText(blocks: Block[], d: BodyData): string {
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'paragraph':
          return b.lines.map(lineText).join('\n');
        case 'heading':
          return b.text.toUpperCase();
        case 'list':
          return b.items.map((i) => `- ${lineText(i)}`).join('\n');
        case 'claims':
          return claimsText(d);
        case 'pay':
          return [d.labels.payOnline, d.labels.transfer].filter(Boolean).join('\n');
      }
    })
    .join('\n\n');
}
