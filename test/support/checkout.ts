/**
 * The debtor's side of a payment on the local runtime: the page link in a message, the fake Mollie checkout (its
 * paid / failed / expired / canceled buttons, like Mollie's test mode) and Mollie's webhook, which carries only the
 * payment id. Used by the payment and the notification tests.
 */
import { expect } from 'vitest';
import type { Harness } from './local.js';

export const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

/** The page link (`…/p/<token>`) a message carries. */
export function pageLinkIn(text: string): string {
  const link = /(https?:\/\/\S+\/p\/[A-Za-z0-9_-]+)/.exec(text)?.[1];
  expect(link, 'the message carries a page link').toBeDefined();
  return link!;
}

/** What Mollie posts to the webhook: `id=tr_…` and nothing else. */
export async function mollieWebhook(h: Harness, id: string): Promise<number> {
  const res = await fetch(`${h.url}/webhooks/mollie`, form({ id }));
  await res.text();
  return res.status;
}

/** Pays `what` ("all" or a dossier) from the page through the fake checkout, choosing `status`; returns the payment id. */
export async function payThroughCheckout(h: Harness, link: string, what: string, status: 'paid' | 'failed' | 'expired' | 'canceled'): Promise<string> {
  const res = await fetch(`${link}/pay`, form({ what }));
  expect(res.status).toBe(303);
  const checkout = res.headers.get('location')!;
  expect(checkout).toMatch(/\/local\/mollie\/checkout\/tr_\w+$/);
  const page = await fetch(checkout);
  const html = await page.text();
  expect(page.status).toBe(200);
  for (const s of ['paid', 'failed', 'expired', 'canceled']) expect(html).toContain(`value="${s}"`);
  const chosen = await fetch(checkout, form({ status }));
  expect(chosen.status).toBe(303);
  expect(chosen.headers.get('location')).toBe(`${link}?status=return`);
  await h.advance({ seconds: 0 });
  return checkout.split('/').at(-1)!;
}
