/**
 * What an experiment (and the KPI report) measures, and over which window after a contact. One list, shared by the
 * strategy file's validation, the attribution of outcomes to contacts (../outcomes/attribution.ts), the counters
 * and the results maths.
 *
 *   contact_within_7d                  any reaction (opened, clicked, a reply, a promise, an arrangement, a payment,
 *                                      a call that reached the debtor) within 7 days
 *   promise_or_arrangement_within_14d  a promise to pay or an arrangement (asked for in a reply or a call) within 14 days
 *   paid_within_30d                    a payment (any amount) within 30 days
 *   recovered_cents_within_60d         the cents paid within 60 days (a mean per debtor, not a rate)
 *
 * An experiment's window runs from the debtor's first contact under it (the exposure); a KPI's from each contact.
 */
export const METRICS = ['paid_within_30d', 'recovered_cents_within_60d', 'contact_within_7d', 'promise_or_arrangement_within_14d'] as const;
export type Metric = (typeof METRICS)[number];

/**
 * The outcome kinds the attribution knows: a reaction of any kind, a reply, a promise/arrangement, a payment, and the
 * provider's statuses of a message (delivered; opened: an email opened or a WhatsApp message read; clicked: a link in
 * an email clicked). A status implies the ones before it: an open shows delivery, a click both.
 */
export type OutcomeKind = 'reacted' | 'replied' | 'promised' | 'paid' | 'delivered' | 'opened' | 'clicked';

export interface MetricSpec {
  kind: 'binary' | 'cents';
  windowDays: number;
  /** binary: the outcome that makes a success; cents: payments */
  outcome: OutcomeKind;
}

export const METRIC_SPECS: Readonly<Record<Metric, MetricSpec>> = Object.freeze({
  paid_within_30d: { kind: 'binary', windowDays: 30, outcome: 'paid' },
  recovered_cents_within_60d: { kind: 'cents', windowDays: 60, outcome: 'paid' },
  contact_within_7d: { kind: 'binary', windowDays: 7, outcome: 'reacted' },
  promise_or_arrangement_within_14d: { kind: 'binary', windowDays: 14, outcome: 'promised' },
});

/** The KPI windows: an outcome counts for a contact when it comes within this many days after it. */
export const KPI_WINDOW_DAYS: Readonly<Record<OutcomeKind | 'recovered', number>> = Object.freeze({
  reacted: 7,
  replied: 7,
  promised: 14,
  paid: 30,
  recovered: 60,
  // a status counts for its own message only, when it comes within a reaction's window
  delivered: 7,
  opened: 7,
  clicked: 7,
});

export const DAY_MS = 86_400_000;
