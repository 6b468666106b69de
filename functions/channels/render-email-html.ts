/**
 * Email body: the block markup (render-format.ts) → inline-styled HTML fragments that the Handlebars layout
 * (templates/email/layout.html.hbs) wraps. Every piece of data is HTML-escaped here; the layout escapes its own
 * variables. Its own module, apart from the text (render-email.ts): only the email function bundles it.
 */
import type { Block, Line } from './render-format.js';
import { type BodyData, claimDescription, showsDetail, showsInterest } from './render-email.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESC[c]);
}

function lineHtml(line: Line): string {
  return line.map((r) => (r.bold ? `<strong>${escapeHtml(r.text)}</strong>` : escapeHtml(r.text))).join('');
}

const P = 'margin:0 0 16px 0;';
const TH = 'padding:8px 6px;border-bottom:2px solid #1f5f8b;text-align:left;font-size:13px;color:#1f5f8b;';
const TD = 'padding:8px 6px;border-bottom:1px solid #e3e3e3;font-size:14px;vertical-align:top;';
const NUM = 'text-align:right;white-space:nowrap;';

function claimsHtml(d: BodyData): string {
  const { labels: l, money } = d;
  const showDetail = showsDetail(d.claims);
  const interest = showsInterest(d.claims);
  const head = [
    `<th style="${TH}">${escapeHtml(l.reference)}</th>`,
    `<th style="${TH}" class="mw-hide-sm">${escapeHtml(l.description)}</th>`,
    ...(showDetail
      ? [
          `<th style="${TH}${NUM}" class="mw-hide-sm">${escapeHtml(l.principal)}</th>`,
          `<th style="${TH}${NUM}" class="mw-hide-sm">${escapeHtml(l.costs)}</th>`,
          ...(interest ? [`<th style="${TH}${NUM}" class="mw-hide-sm">${escapeHtml(l.interest)}</th>`] : []),
          `<th style="${TH}${NUM}" class="mw-hide-sm">${escapeHtml(l.paid)}</th>`,
        ]
      : []),
    `<th style="${TH}${NUM}">${escapeHtml(l.outstanding)}</th>`,
  ].join('');
  const rows = d.claims
    .map((c) =>
      [
        '<tr>',
        `<td style="${TD}white-space:nowrap;">${escapeHtml(c.reference)}</td>`,
        `<td style="${TD}" class="mw-hide-sm">${escapeHtml(claimDescription(c))}</td>`,
        ...(showDetail
          ? [
              `<td style="${TD}${NUM}" class="mw-hide-sm">${escapeHtml(money(c.principal))}</td>`,
              `<td style="${TD}${NUM}" class="mw-hide-sm">${escapeHtml(money(c.costs))}</td>`,
              ...(interest ? [`<td style="${TD}${NUM}" class="mw-hide-sm">${escapeHtml(money(c.interest ?? 0))}</td>`] : []),
              `<td style="${TD}${NUM}" class="mw-hide-sm">${escapeHtml(money(c.paid))}</td>`,
            ]
          : []),
        `<td style="${TD}${NUM}">${escapeHtml(money(c.outstanding))}</td>`,
        '</tr>',
      ].join(''),
    )
    .join('\n');
  // one cell per column (not a colspan) so the row still lines up when small screens hide the middle columns
  const spacers = `<td class="mw-hide-sm"></td>`.repeat(showDetail ? (interest ? 5 : 4) : 1);
  const total =
    `<tr><td style="padding:10px 6px;font-weight:bold;white-space:nowrap;">${escapeHtml(l.total)}</td>${spacers}` +
    `<td style="padding:10px 6px;font-weight:bold;${NUM}">${escapeHtml(money(d.totalOutstanding))}</td></tr>`;
  return (
    `<table role="presentation" class="mw-claims" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;margin:0 0 20px 0;font-family:Arial,Helvetica,sans-serif;color:#222222;">` +
    `<tr>${head}</tr>\n${rows}\n${total}</table>`
  );
}

function payHtml(d: BodyData): string {
  const href = escapeHtml(d.paymentLink);
  const button =
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px 0;"><tr>` +
    `<td class="mw-button" align="center" bgcolor="#1f5f8b" style="border-radius:4px;background-color:#1f5f8b;">` +
    `<a href="${href}" target="_blank" style="display:inline-block;padding:12px 28px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:4px;">${escapeHtml(d.labels.payButton)}</a>` +
    `</td></tr></table>`;
  const link = `<p style="${P}font-size:13px;line-height:19px;color:#555555;">${escapeHtml(d.labels.payOnline).replace(
    href,
    `<a href="${href}" target="_blank" style="color:#1f5f8b;">${href}</a>`,
  )}${d.labels.transfer ? `<br>${escapeHtml(d.labels.transfer)}` : ''}</p>`;
  return button + link;
}

export function blocksToHtml(blocks: Block[], d: BodyData): string {
  return blocks
    .map((b) => {
      switch (b.kind) {
        case 'paragraph':
          return `<p style="${P}">${b.lines.map(lineHtml).join('<br>')}</p>`;
        case 'heading':
          return `<h2 style="margin:0 0 12px 0;font-size:18px;line-height:24px;color:#1f5f8b;">${escapeHtml(b.text)}</h2>`;
        case 'list':
          return `<ul style="margin:0 0 16px 0;padding-left:22px;">${b.items.map((i) => `<li>${lineHtml(i)}</li>`).join('')}</ul>`;
        case 'claims':
          return claimsHtml(d);
        case 'pay':
          return payHtml(d);
      }
    })
    .join('\n');
}

