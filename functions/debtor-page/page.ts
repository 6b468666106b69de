/**
 * The debtor page as HTML (issue 9): server-rendered, mobile-first, Dutch and English, accessible (a language
 * attribute, a heading structure, labelled controls in fieldsets, contrast of at least 7:1 for text, visible focus)
 * and without JavaScript: every action is a plain form POST. Pure: the data in, a string out. Words are in
 * templates/page/text.json; everything shown is escaped.
 */
import type { Arrangement, PlanOption } from '../domain/arrangements.js';
import { due, firstUnpaid } from '../domain/arrangements.js';
import type { AgencyDetails } from '../channels/render-contract.js';
import texts from '../../templates/page/text.json' with { type: 'json' };

export type PageLanguage = 'nl' | 'en';
type Key = Exclude<keyof (typeof texts)['nl'], never>;

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function t(lang: PageLanguage, key: Key, vars: Record<string, string | number> = {}): string {
  const src = (texts[lang] as Record<string, string>)[key];
  // "… Incasso B.V.." → "… Incasso B.V." where a name ending in a full stop closes a sentence.
  return esc(src)
    .replace(/\{(\w+)\}/g, (_, k: string) => esc(String(vars[k] ?? '')))
    .replace(/(?<=[\p{L}\d])\.\.(?!\.)/gu, '.');
}

export function money(cents: number, lang: PageLanguage): string {
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'nl' ? '.' : ',');
  const frac = String(abs % 100).padStart(2, '0');
  return lang === 'nl' ? `€ ${whole},${frac}` : `€${whole}.${frac}`;
}

const MONTHS = {
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};
export function day(date: string, lang: PageLanguage): string {
  const [y, m, d] = date.split('-').map(Number);
  return lang === 'nl' ? `${d} ${MONTHS.nl[m - 1]} ${y}` : `${d} ${MONTHS.en[m - 1]} ${y}`;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#f4f5f7}
header,main,footer{max-width:40rem;margin:0 auto;padding:1rem}header{display:flex;justify-content:space-between;align-items:center;gap:1rem;background:#fff;border-bottom:1px solid #d0d4da}
header p{margin:0;font-weight:600}a{color:#0a4a8a}a:focus,button:focus,input:focus{outline:3px solid #ffbf47;outline-offset:2px}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
.card{background:#fff;border:1px solid #d0d4da;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.claim dl{display:grid;grid-template-columns:auto auto;gap:.25rem 1rem;margin:.5rem 0}.claim dt{color:#3d4550}.claim dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.total{font-size:1.125rem;font-weight:700}.notice{background:#e8f4ea;border-color:#2e7d32}.note{color:#3d4550;font-size:.95rem}
button{font:inherit;font-weight:600;width:100%;min-height:3rem;padding:.75rem 1rem;margin:.5rem 0 0;border-radius:.375rem;border:2px solid #0a4a8a;background:#0a4a8a;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0a4a8a}fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin-bottom:.5rem}
label{display:block;padding:.75rem;border:1px solid #d0d4da;border-radius:.375rem;margin:.5rem 0;background:#fff}label input{margin-right:.5rem;transform:scale(1.3)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.375rem .25rem;border-bottom:1px solid #d0d4da}td.num{text-align:right;font-variant-numeric:tabular-nums}
@media (min-width:48rem){body{font-size:1.125rem}}`;

function layout(lang: PageLanguage, title: string, body: string, agency: AgencyDetails, switchHref?: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title} – ${esc(agency.name)}</title>
<style>${CSS}</style>
</head>
<body>
<header><p>${esc(agency.name)}</p>${switchHref ? `<a href="${esc(switchHref)}" lang="${lang === 'nl' ? 'en' : 'nl'}" hreflang="${lang === 'nl' ? 'en' : 'nl'}">${t(lang, 'otherLanguage')}</a>` : ''}</header>
<main id="main">
${body}
</main>
<footer class="note"><p>${t(lang, 'contact', { phone: agency.phone, email: agency.email, website: agency.website })}</p><p>${t(lang, 'identity', { agency: agency.name, wki: agency.wkiNumber })}</p></footer>
</body>
</html>
`;
}

export interface PageClaim {
  creditor: string;
  reference: string;
  description?: string;
  principal: number;
  costs: number;
  /** statutory interest up to today (0 when the creditor claims none) */
  interest?: number;
  paid: number;
  outstanding: number;
}

export interface PageData {
  lang: PageLanguage;
  agency: AgencyDetails;
  /** the page's own path (/p/<token>), forms post below it */
  path: string;
  claims: PageClaim[];
  arrangement?: Arrangement;
  plans: PlanOption[];
  /** the link is about this instalment */
  instalment?: number;
  notice?: 'return' | 'plan' | 'told';
  today: string;
}

function form(path: string, action: string, lang: PageLanguage, fields: Record<string, string>, button: string, secondary = false): string {
  const hidden = Object.entries({ ...fields, lang })
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${esc(`${path}/${action}`)}">${hidden}<button type="submit"${secondary ? ' class="secondary"' : ''}>${button}</button></form>`;
}

export function debtorPage(d: PageData): string {
  const { lang, path } = d;
  const parts: string[] = [`<h1>${t(lang, 'heading')}</h1>`];
  const notice = d.notice === 'return' ? 'returned' : d.notice === 'plan' ? 'planChosen' : d.notice === 'told' ? 'told' : undefined;
  if (notice) parts.push(`<p class="card notice" role="status">${t(lang, notice)}</p>`);
  if (d.claims.length === 0) {
    parts.push(`<p class="card">${t(lang, 'nothingOpen')}</p>`);
    return layout(lang, t(lang, 'title'), parts.join('\n'), d.agency, `${path}?lang=${lang === 'nl' ? 'en' : 'nl'}`);
  }
  parts.push(`<p>${t(lang, 'intro', { agency: d.agency.name })}</p>`);
  const total = d.claims.reduce((s, c) => s + c.outstanding, 0);
  d.claims.forEach((c, i) => {
    const id = `claim-${i + 1}`;
    parts.push(`<section class="card claim" aria-labelledby="${id}-title">
<h2 id="${id}-title">${esc(c.creditor)} · ${esc(c.reference)}</h2>${c.description ? `<p class="note">${esc(c.description)}</p>` : ''}
<dl><dt>${t(lang, 'principal')}</dt><dd>${money(c.principal, lang)}</dd><dt>${t(lang, 'costs')}</dt><dd>${money(c.costs, lang)}</dd>${c.interest ? `<dt>${t(lang, 'interest')}</dt><dd>${money(c.interest, lang)}</dd>` : ''}<dt>${t(lang, 'paid')}</dt><dd>${money(c.paid, lang)}</dd><dt><strong>${t(lang, 'outstanding')}</strong></dt><dd><strong>${money(c.outstanding, lang)}</strong></dd></dl>
${d.claims.length > 1 && d.arrangement?.status !== 'active' ? form(path, 'pay', lang, { what: id }, t(lang, 'payOne', { reference: c.reference, amount: money(c.outstanding, lang) }), true) : ''}
</section>`);
  });
  const anyCosts = d.claims.some((c) => c.costs > 0);
  parts.push(`<p class="note">${t(lang, anyCosts ? 'costsExplained' : 'noCosts')}</p>`);
  parts.push(`<section class="card" aria-labelledby="total-title"><h2 id="total-title" class="total">${t(lang, 'total')}: ${money(total, lang)}</h2>${form(path, 'pay', lang, { what: 'all' }, t(lang, 'payAll', { amount: money(total, lang) }))}</section>`);

  const a = d.arrangement;
  if (a?.status === 'active') {
    const next = firstUnpaid(a);
    const rows = a.instalments
      .map((inst, i) => {
        const status = inst.paidAmount >= inst.amount ? 'statusPaid' : inst.dueDate < d.today ? 'statusOverdue' : 'statusOpen';
        return `<tr><td>${i + 1}</td><td>${day(inst.dueDate, lang)}</td><td class="num">${money(inst.amount, lang)}</td><td>${t(lang, status)}</td></tr>`;
      })
      .join('');
    parts.push(`<section class="card" aria-labelledby="arr-title"><h2 id="arr-title">${t(lang, 'arrangementHeading')}</h2>
<table><caption class="note">${t(lang, 'planChosen')}</caption><thead><tr><th scope="col">${t(lang, 'instalment')}</th><th scope="col">${t(lang, 'dueDate')}</th><th scope="col">${t(lang, 'amount')}</th><th scope="col">${t(lang, 'status')}</th></tr></thead><tbody>${rows}</tbody></table>
${next ? form(path, 'pay', lang, { what: 'instalment' }, t(lang, 'payInstalment', { no: next.no, amount: money(due(next.instalment), lang) })) : ''}</section>`);
  } else {
    const options = d.plans
      .map(
        (p, i) =>
          `<label for="plan-${i + 1}"><input type="radio" id="plan-${i + 1}" name="option" value="${i + 1}"${i === 0 ? ' checked' : ''}> <strong>${i + 1}.</strong> ${t(lang, 'planOption', { months: p.months, monthly: money(p.monthly, lang), first: day(p.instalments[0].dueDate, lang) })}<br><span class="note">${t(lang, 'planCosts', { total: money(p.total, lang), costs: money(p.costs, lang) })}</span></label>`,
      )
      .join('');
    parts.push(`<section class="card" aria-labelledby="plan-title"><h2 id="plan-title">${t(lang, 'planHeading')}</h2><p>${t(lang, 'planIntro')}</p>
${d.plans.length ? `<form method="post" action="${esc(`${path}/plan`)}"><input type="hidden" name="lang" value="${lang}"><fieldset><legend>${t(lang, 'planLegend')}</legend>${options}</fieldset><button type="submit">${t(lang, 'planChoose')}</button></form>` : `<p>${t(lang, 'noPlans')}</p>`}
<p class="note">${t(lang, 'debtHelpText')}</p></section>`);
  }

  parts.push(`<section class="card" aria-labelledby="else-title"><h2 id="else-title">${t(lang, 'somethingElse')}</h2>
${form(path, 'tell', lang, { what: 'already_paid' }, t(lang, 'alreadyPaid'), true)}
${d.claims.map((c, i) => form(path, 'tell', lang, { what: 'dispute', claim: String(i + 1) }, t(lang, 'dispute', { reference: c.reference }), true)).join('\n')}
${form(path, 'tell', lang, { what: 'debt_help' }, t(lang, 'debtHelp'), true)}
</section>`);
  return layout(lang, t(lang, 'title'), parts.join('\n'), d.agency, `${path}?lang=${lang === 'nl' ? 'en' : 'nl'}`);
}

/** The friendly page for an unknown or expired link, too many requests, or a failure: how to reach the agency, nothing else. */
export function messagePage(lang: PageLanguage, kind: 'invalid' | 'tooMany' | 'error' | 'pending', agency: AgencyDetails, back?: string): string {
  const title = t(lang, `${kind}Title` as Key);
  return layout(lang, title, `<h1>${title}</h1><p class="card">${t(lang, `${kind}Text` as Key)}</p>${back ? `<p><a href="${esc(back)}">${t(lang, 'back')}</a></p>` : ''}`, agency);
}
