/**
 * The composition point for the payment port: the Mollie adapter built from configuration (on AWS the secret at
 * MOLLIE_SECRET_ARN; locally MOLLIE_API_KEY and the fake's MOLLIE_API_ENDPOINT). Only the Payments function (the
 * debtor page and the Mollie webhook) imports this, so the others never bundle the Mollie client.
 */
import { mollieConfig } from '../shared/config.js';
import { MolliePayments } from './mollie.js';
import type { PaymentProvider } from './port.js';

let provider: PaymentProvider | undefined;

export async function paymentProvider(): Promise<PaymentProvider> {
  provider ??= new MolliePayments(await mollieConfig());
  return provider;
}

/** Tests and the local runtime: forget a provider built from an earlier configuration (or inject one). */
export function resetPaymentProvider(inject?: PaymentProvider): void {
  provider = inject;
}
