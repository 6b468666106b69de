/**
 * The payment port: what the debtor page and the payment webhook need from a payment provider. One real adapter
 * (Mollie, ./mollie.ts); locally the same adapter talks to the fake Mollie (infra/local/fakes/mollie.ts) over HTTP.
 * Money is integer cents (EUR) on this side of the port; the adapter converts to the provider's "12.50" strings.
 */
export type ProviderPaymentStatus = 'open' | 'pending' | 'authorized' | 'paid' | 'failed' | 'expired' | 'canceled';

export interface NewProviderPayment {
  amount: number;
  /** shown on the bank statement: no personal data */
  description: string;
  redirectUrl: string;
  webhookUrl: string;
  /** ours, returned with every fetch: which dossiers the payment is for, in cents */
  metadata: PaymentMetadata;
  /** a retried create with the same key makes no second payment */
  idempotencyKey: string;
  locale?: 'nl_NL' | 'en_US';
}

export interface PaymentMetadata {
  debtorId: string;
  /** [dossierId, cents] per dossier */
  allocation: Array<[string, number]>;
  /** what the debtor chose: all, one claim, an instalment */
  scope: string;
}

export interface ProviderPayment {
  id: string;
  status: ProviderPaymentStatus;
  amount: number;
  amountRefunded: number;
  amountChargedBack: number;
  paidAt?: string;
  checkoutUrl?: string;
  method?: string;
  metadata?: PaymentMetadata;
}

export interface PaymentProvider {
  createPayment(p: NewProviderPayment): Promise<ProviderPayment>;
  /** undefined: the provider has no such payment */
  getPayment(id: string): Promise<ProviderPayment | undefined>;
}

/** cents → "12.50" */
export const toValue = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
/** "12.50" → 1250 (exact, no floating point) */
export function toCents(value: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new Error(`not an amount: ${value}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}
