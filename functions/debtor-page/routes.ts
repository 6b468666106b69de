/**
 * The debtor page's routes — GET /p/{token}, and the form posts /p/{token}/pay, /plan and /tell — served by the
 * Payments function (./handler.ts), locally and on AWS.
 *
 * Thin: rate limits (per address and per token), the token opened (no database
 * read for a forged or expired one), the case read (one item), then the page or the action.
 *
 * An unknown, forged or expired token gets the same friendly page (404) with how to reach the agency: nothing tells
 * which of the three it was. Logs carry no token, name or amount — only the case id once the token is good.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { creditorsOfMask, openPageToken } from '../domain/page-token.js';
import { localDate } from '../domain/calendar.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { claimsOf, clientsOf, type CaseState } from '../domain/case/state.js';
import type { AgencyDetails } from '../channels/render-contract.js';
import { pageTokenSecret } from '../shared/config.js';
import { fieldErrors, friendlyError } from '../shared/schemas/fields.js';
import { formParams, HttpError, serverUrl } from '../shared/http.js';
import type { Route } from '../shared/routes/route.js';
import type * as z from '../shared/zod.js';
import { logger } from '../shared/logger.js';
import { PagePayForm, PagePlanForm, PageQuery, PageTellForm } from '../shared/schemas/payments.js';
import { countHit } from '../store/rate-limits.js';
import { getClient } from '../store/clients.js';
import { loadCase } from '../services/case.js';
import { acceptOption, openClaims, plansFor } from '../services/arrangements.js';
import { startCheckout } from '../services/checkout.js';
import { recordPageStatement } from '../services/page-statements.js';
import { debtorPage, messagePage, type PageLanguage } from './page.js';
import agencyJson from '../../templates/agency.json' with { type: 'json' };

const agency = agencyJson as AgencyDetails;

/** Requests per address and per token in a 10-minute window before the page answers 429. */
export const PAGE_LIMITS = { windowSeconds: 600, perAddress: 60, perToken: 30 };

const html = (status: number, body: string, headers: Record<string, string> = {}): APIGatewayProxyResult => ({
  statusCode: status,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'",
    ...headers,
  },
  body,
});
const redirect = (location: string): APIGatewayProxyResult => ({ statusCode: 303, headers: { location, 'cache-control': 'no-store' }, body: '' });

function langOf(event: APIGatewayProxyEvent, c?: CaseState): PageLanguage {
  const q = event.queryStringParameters?.lang;
  const fromForm = event.httpMethod === 'POST' ? formParams(event).lang : undefined;
  const asked = fromForm ?? q;
  if (asked === 'nl' || asked === 'en') return asked;
  const latest = c ? claimsOf(c).filter((d) => d.status === 'open').at(-1) ?? claimsOf(c).at(-1) : undefined;
  return latest?.language === 'en' ? 'en' : 'nl';
}

function parseForm<S extends z.ZodMiniType>(schema: S, event: APIGatewayProxyEvent): z.infer<S> {
  const parsed = schema.safeParse(formParams(event), { error: friendlyError });
  if (!parsed.success) throw new HttpError(400, 'validation_failed', 'The form is not valid.', fieldErrors(parsed.error, schema));
  return parsed.data;
}

export async function pageResponse(event: APIGatewayProxyEvent, route: Route, now: Date): Promise<APIGatewayProxyResult> {
  const token = event.pathParameters?.token ?? '';
  const address = event.requestContext?.identity?.sourceIp ?? 'unknown';
  const guessLang = langOf(event);
  if ((await countHit(`page-ip:${address}`, now, PAGE_LIMITS.windowSeconds)) > PAGE_LIMITS.perAddress) {
    logger.warn('debtor page rate-limited (address)', {});
    return html(429, messagePage(guessLang, 'tooMany', agency), { 'retry-after': String(PAGE_LIMITS.windowSeconds) });
  }
  const opened = openPageToken(token, await pageTokenSecret(), now.getTime());
  if (!opened.ok) return html(404, messagePage(guessLang, 'invalid', agency));
  if ((await countHit(`page-token:${token}`, now, PAGE_LIMITS.windowSeconds)) > PAGE_LIMITS.perToken) {
    logger.warn('debtor page rate-limited (token)', {});
    return html(429, messagePage(guessLang, 'tooMany', agency), { 'retry-after': String(PAGE_LIMITS.windowSeconds) });
  }
  const c = await loadCase(opened.payload.debtorId, now);
  if (!c) return html(404, messagePage(guessLang, 'invalid', agency));
  const lang = langOf(event, c);
  // The page is about the claims of the creditors the message was about (as a reply from a number is about the
  // claims that number was given with): it shows, pays and acts on those only — always the debtor's own.
  const creditors = creditorsOfMask(clientsOf(c), opened.payload.creditors);
  const path = `${(event.requestContext?.path ?? event.path).replace(/\/(pay|plan|tell)$/, '')}`;
  const back = `${path}?lang=${lang}`;
  try {
    switch (route.operationId) {
      case 'debtorPage': {
        const q = PageQuery.safeParse(event.queryStringParameters ?? {});
        const notice = q.success ? q.data.status : undefined;
        return html(200, await render(c, creditors, path, lang, now, opened.payload.instalment, notice));
      }
      case 'debtorPagePay': {
        const form = parseForm(PagePayForm, event);
        return redirect(await startCheckout(c, creditors, token, form.what, lang, now, serverUrl(event)));
      }
      case 'debtorPagePlan': {
        const form = parseForm(PagePlanForm, event);
        const ok = await acceptOption(c.caseId, Number(form.option), now, c, creditors);
        return ok ? redirect(`${back}&status=plan`) : html(409, messagePage(lang, 'error', agency, back));
      }
      case 'debtorPageTell': {
        const form = parseForm(PageTellForm, event);
        const told = await tell(c, creditors, form.what, form.claim ? Number(form.claim) : undefined, now);
        return told ? redirect(`${back}&status=told`) : html(409, messagePage(lang, 'error', agency, back));
      }
      default:
        return html(404, messagePage(lang, 'invalid', agency));
    }
  } catch (err) {
    if (err instanceof HttpError && err.status < 500) return html(err.status, messagePage(lang, err.code === 'payment_in_progress' ? 'pending' : 'error', agency, back));
    logger.error('debtor page failed', { caseId: c.caseId, route: route.operationId, errorName: (err as Error)?.name });
    return html(500, messagePage(lang, 'error', agency, back));
  }
}

async function render(c: CaseState, creditors: readonly string[], path: string, lang: PageLanguage, now: Date, instalment: number, notice: 'return' | 'plan' | 'told' | undefined): Promise<string> {
  const open = openClaims(c, now, creditors);
  const names = new Map<string, string>();
  for (const d of open) if (!names.has(d.clientId)) names.set(d.clientId, (await getClient(d.clientId))?.name ?? d.clientId);
  const day = localDate(now);
  const stop = accrualStop(c);
  // An arrangement about other creditors' claims is not this page's (its instalments hold their shares).
  const arrangement = c.arrangement?.dossierIds.every((id) => creditors.includes(c.dossiers[id]?.clientId ?? '')) ? c.arrangement : undefined;
  return debtorPage({
    lang,
    agency,
    path,
    claims: open.map((d) => {
      // What is owed today: costs, then interest, then principal (art. 6:44 BW), as every view and message shows it.
      const a = claimAmounts(d, day, { stopAccrualOn: stop });
      return { creditor: names.get(d.clientId)!, reference: d.reference, ...(d.description ? { description: d.description } : {}), principal: d.principal, costs: d.costs, interest: a.interest, paid: a.paid, outstanding: a.outstanding };
    }),
    ...(arrangement ? { arrangement } : {}),
    plans: c.arrangement?.status === 'active' ? [] : plansFor(c, now, open),
    ...(instalment ? { instalment } : {}),
    ...(notice ? { notice } : {}),
    today: day,
  });
}

/** "I already paid", "I dispute this", "I get debt help" on the page: the same effects as the matching replies (services/engagement.ts). */
/** false: the form names a claim the page does not show (a stale page, a tampered form): nothing is recorded. */
async function tell(c: CaseState, creditors: readonly string[], what: 'already_paid' | 'dispute' | 'debt_help', claimNo: number | undefined, now: Date): Promise<boolean> {
  const open = openClaims(c, now, creditors);
  if (claimNo !== undefined && !open[claimNo - 1]) return false;
  const dossierIds = claimNo !== undefined ? [open[claimNo - 1].dossierId] : open.map((d) => d.dossierId);
  await recordPageStatement(c, what, dossierIds, now);
  return true;
}
