/**
 * The reports' routes (the Reports function, behind the API key authorizer, as the Api's): the KPIs and an
 * experiment's results. A function of their own because the results maths (jstat) and the report schemas are needed
 * by nothing else the client API does; reading counters is all they do (the function may only read the table).
 */
import { doc } from '../schemas/fields.js';
import * as z from '../zod.js';
import { ExperimentResultsView, KpiQuery, KpiReport } from '../../reports/schemas.js';
import type { Route } from './route.js';

export const REPORT_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    resource: '/v1/reports/kpis',
    fn: 'reports',
    auth: 'apiKey',
    operationId: 'kpiReport',
    tag: 'Reports',
    summary: 'KPIs per segment, channel, template, tone, variant or client',
    description:
      'Per group: debtors, contacts, the rates of delivered, opened and clicked messages (the providers’ statuses, 7 days), any reaction (7 days), ' +
      'replies (7 days), promises or arrangements (14 days) and payments (30 days) after a contact, replies per intent (each reply once, last touch), ' +
      'recovered cents (60 days, last touch), the contacts’ cost at list prices and recovered per euro spent. Counted by the day ' +
      'a contact was sent (Europe/Amsterdam). A creditor sees only contacts about its own claims and outcomes about them; an agency key sees all.',
    query: KpiQuery,
    responses: { 200: { description: 'The report.', schema: KpiReport } },
  },
  {
    method: 'GET',
    resource: '/v1/experiments/{experimentId}/results',
    fn: 'reports',
    auth: 'apiKey',
    operationId: 'experimentResults',
    tag: 'Reports',
    summary: 'An experiment’s results per variant',
    description:
      'Per variant: debtors exposed and matured (their metric window passed), the metric with a 95% interval, the difference to the control with a ' +
      'p-value (fixed allocation) or the probability of being best and the current share (Thompson), and the verdict. Agency keys see every ' +
      'experiment; a creditor only one limited to its own claims.',
    params: z.object({
      experimentId: doc(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'must be an experiment id: a-z, 0-9, _ and -, e.g. "tone-first-demand"')), {
        description: 'The experiment id (the strategy file).',
        example: 'tone-first-demand',
      }),
    }),
    responses: { 200: { description: 'The results.', schema: ExperimentResultsView } },
  },
];
