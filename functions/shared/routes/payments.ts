/**
 * The Payments function's routes: the debtor's own page (GET /p/{token} and its form posts; the link's token is the
 * authentication) and Mollie's payment webhook. Their own function because they are the ones that carry the Mollie
 * client and the page, which other functions need not carry.
 */
import { MollieWebhook, PagePayForm, PageParams, PagePlanForm, PageQuery, PageTellForm } from '../schemas/payments.js';
import * as z from '../zod.js';
import type { Route, RouteAnswer } from './route.js';

const page = (description: string): RouteAnswer => ({ description, contentType: 'text/html', schema: z.string() });
/** What every debtor page route may answer besides its success. */
const PAGE_ANSWERS: Record<number, RouteAnswer> = {
  404: page('An unknown, forged or expired link: a friendly page with how to reach the agency (it does not say which).'),
  429: page('Too many requests from this address or for this link (60 per address, 30 per link in 10 minutes); Retry-After says when.'),
};
const PAGE_FORM_ANSWERS: Record<number, RouteAnswer> = {
  ...PAGE_ANSWERS,
  400: page('The form is not valid.'),
  409: page('Nothing to pay for this choice, a payment for these claims still in progress, no such plan (any more), or no such claim on the page.'),
};

export const PAYMENT_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    resource: '/p/{token}',
    fn: 'payments',
    auth: 'none',
    operationId: 'debtorPage',
    tag: 'Debtor page',
    summary: 'The debtor’s own page: open claims, pay, a payment plan',
    description:
      'The link in every message (one per debtor and message; signed, expiring, opaque: no ids or personal data in it). Server-rendered HTML in Dutch or English, works without JavaScript. ' +
      'Shows the debtor’s open claims at this agency with creditor, reference, amounts and costs explained; lets them pay all or one, choose a payment plan, say they already paid, dispute a claim or report debt help.',
    params: PageParams,
    query: PageQuery,
    responses: { 200: page('The page.'), ...PAGE_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/p/{token}/pay',
    fn: 'payments',
    auth: 'none',
    operationId: 'debtorPagePay',
    tag: 'Debtor page',
    summary: 'Pay (all, one claim, or the instalment) with iDEAL',
    description: 'Creates a payment at Mollie for exactly the choice, split per dossier in cents, and sends the debtor to its checkout (303).',
    params: PageParams,
    body: { type: 'form', schema: PagePayForm },
    responses: { 303: { description: 'To the payment provider’s checkout.' }, ...PAGE_FORM_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/p/{token}/plan',
    fn: 'payments',
    auth: 'none',
    operationId: 'debtorPagePlan',
    tag: 'Debtor page',
    summary: 'Choose a payment plan',
    params: PageParams,
    body: { type: 'form', schema: PagePlanForm },
    responses: { 303: { description: 'Back to the page, the plan in force.' }, ...PAGE_FORM_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/p/{token}/tell',
    fn: 'payments',
    auth: 'none',
    operationId: 'debtorPageTell',
    tag: 'Debtor page',
    summary: 'Already paid, a dispute, or debt help',
    description: 'The same effects as the matching replies: already paid gives time, a dispute pauses that dossier, debt help stops all outreach.',
    params: PageParams,
    body: { type: 'form', schema: PageTellForm },
    responses: { 303: { description: 'Back to the page.' }, ...PAGE_FORM_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/webhooks/mollie',
    fn: 'payments',
    auth: 'none',
    operationId: 'mollieWebhook',
    tag: 'Provider webhooks',
    summary: 'Mollie payment webhook',
    description:
      'Mollie posts only the payment id. The payment is fetched from the Mollie API before anything is booked, so a call with an unknown or open payment changes nothing. ' +
      'A paid payment is booked once per payment id (also when the webhook comes again), split per dossier; failed, expired and canceled ones go on the timeline only; refunds and chargebacks reopen what they undo.',
    body: { type: 'form', schema: MollieWebhook },
    responses: { 200: { description: 'Received (whatever the payment turned out to be: Mollie only needs a 2xx).', schema: z.object({ received: z.literal(true) }) } },
  },
];
