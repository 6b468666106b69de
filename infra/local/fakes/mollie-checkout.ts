/** The fake Mollie checkout page: like Mollie's test mode, one button per outcome. No scripts. */
import type { FakeMolliePayment } from './mollie.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function checkoutPage(p: FakeMolliePayment, path: string): string {
  const buttons = (['paid', 'failed', 'expired', 'canceled'] as const)
    .map((s) => `<form method="post" action="${esc(path)}"><input type="hidden" name="status" value="${s}"><button type="submit">${s}</button></form>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test payment – local Mollie</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font:inherit;font-weight:600;border:2px solid #0a4a8a;background:#fff;color:#0a4a8a;border-radius:.375rem}</style></head>
<body><main><h1>Test payment (local Mollie)</h1><p>iDEAL · € ${esc(p.amount.value)} · ${esc(p.description)}</p><p>Status: <strong>${esc(p.status)}</strong></p>
${p.status === 'open' ? `<h2>Select the payment status</h2>${buttons}` : `<p><a href="${esc(p.redirectUrl)}">Back</a></p>`}</main></body></html>`;
}
