/**
 * The debtor page in a real browser: Debian's `chromium` driven by playwright-core (executablePath, nothing
 * downloaded), on a phone-sized viewport, Dutch and English, JavaScript off (the page must work without it), with an
 * accessibility check (axe-core inside the page: no serious or critical violations) and a screenshot of each page
 * in the test output (test-output/debtor-page/, not committed). Also: a token never shows another debtor's data, an
 * expired one gives the friendly page, and 100 wrong tokens from one address are rate-limited.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromium } from 'playwright-core';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { sealPageToken } from '../../functions/domain/page-token.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.resolve('test-output/debtor-page');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function linkFor(phone: string, language: 'nl' | 'en', claims: Array<{ reference: string; principal: number }>, name = 'Sam Voorbeeld') {
  let debtorId = '';
  for (const c of claims) {
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ ...c, description: 'Energierekening januari' }, { phone, email: undefined, name, language }));
    expect(res.status).toBe(201);
    debtorId = res.body.debtorId;
  }
  await h.advance({ seconds: 0 });
  const sms = (await h.outbox()).filter((m) => m.debtorId === debtorId && m.channel === 'sms').at(-1)!;
  return { debtorId, link: /(https?:\/\/\S+\/p\/[A-Za-z0-9_-]+)/.exec(sms.text)![1] };
}

async function openPhone(url: string, shot: string) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto(url);
  await page.screenshot({ path: path.join(OUT, `${shot}.png`), fullPage: true });
  return { context, page, status: res?.status() };
}

/** axe-core run in a context with JavaScript on (the page itself needs none). */
async function axe(url: string) {
  // The page's CSP allows no scripts at all; the checker's own script is let in for the check only.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.addScriptTag({ content: axeSource });
  type Axe = { run: (o: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
  const result = await page.evaluate(async () => ((globalThis as unknown as { axe: Axe }).axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] })));
  await context.close();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
}

describe('the debtor page in Chromium', () => {
  it('Dutch, on a phone, without JavaScript: claims listed, the plan chosen by form, accessible', async () => {
    const { link } = await linkFor('+31633330001', 'nl', [
      { reference: 'WEB-NL-1', principal: 24_000 },
      { reference: 'WEB-NL-2', principal: 11_550 },
    ]);
    const { page, context, status } = await openPhone(link, 'nl-phone');
    expect(status).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await page.textContent('h1')).toBe('Uw openstaande rekeningen');
    const text = await page.textContent('main');
    expect(text).toContain('WEB-NL-1');
    expect(text).toContain('WEB-NL-2');
    expect(text).toContain('Acme Energie B.V.');
    expect(text).toContain('€ 355,50');
    // No horizontal scrolling on a phone.
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    // Choosing a plan works with JavaScript off: a labelled radio and a submit button.
    await page.getByLabel(/6 termijnen/).check();
    await Promise.all([page.waitForURL(/status=plan/), page.getByRole('button', { name: 'Kies deze regeling' }).click()]);
    await h.advance({ seconds: 0 });
    await page.reload();
    await page.screenshot({ path: path.join(OUT, 'nl-phone-plan.png'), fullPage: true });
    expect(await page.textContent('main')).toContain('Uw betalingsregeling');
    await context.close();
    expect(await axe(link)).toEqual([]);
  });

  it('English, paying through the fake checkout in the browser', async () => {
    const { link, debtorId } = await linkFor('+31633330002', 'en', [{ reference: 'WEB-EN-1', principal: 9_900 }], 'Alex Example');
    const { page, context, status } = await openPhone(link, 'en-phone');
    expect(status).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Your open bills');
    expect(await page.textContent('main')).toContain('€99.00');
    await Promise.all([page.waitForURL(/\/local\/mollie\/checkout\//), page.getByRole('button', { name: /Pay everything/ }).click()]);
    await page.screenshot({ path: path.join(OUT, 'en-checkout.png'), fullPage: true });
    await Promise.all([page.waitForURL(/status=return/), page.getByRole('button', { name: 'paid' }).click()]);
    await page.screenshot({ path: path.join(OUT, 'en-returned.png'), fullPage: true });
    await h.advance({ seconds: 0 });
    const dossiers = (await h.api('GET', `/v1/debtors/${debtorId}`)).body.dossiers;
    expect(dossiers[0].status).toBe('paid');
    await page.reload();
    expect(await page.textContent('main')).toContain('Nothing is open any more');
    await context.close();
    expect(await axe(`${link}?lang=en`)).toEqual([]);
  });

  it('a token for one debtor never shows another debtor’s data', async () => {
    const a = await linkFor('+31633330003', 'nl', [{ reference: 'SECRET-A', principal: 5_000 }], 'Anna Eerste');
    const b = await linkFor('+31633330004', 'nl', [{ reference: 'SECRET-B', principal: 7_000 }], 'Bert Tweede');
    const pageA = await (await fetch(a.link)).text();
    const pageB = await (await fetch(b.link)).text();
    expect(pageA).toContain('SECRET-A');
    expect(pageA).not.toContain('SECRET-B');
    expect(pageB).toContain('SECRET-B');
    expect(pageB).not.toContain('SECRET-A');
    // A token changed in one character is refused (signed), with the friendly page.
    const t = a.link.split('/p/')[1];
    const changed = `${a.link.split('/p/')[0]}/p/${t.slice(0, 10)}${t[10] === 'A' ? 'B' : 'A'}${t.slice(11)}`;
    const res = await fetch(changed);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Deze link werkt niet (meer)');
    expect(html).not.toContain('SECRET');
  });

  it('an expired link gives the friendly page with how to reach the agency, and nothing else', async () => {
    const { debtorId } = await linkFor('+31633330005', 'nl', [{ reference: 'OLD-1', principal: 5_000 }]);
    const secret = fs.readFileSync(path.join(h.dataDir, 'page-token.secret'), 'utf8').trim();
    const clock = Date.parse(((await (await fetch(`${h.url}/local/clock`)).json()) as { now: string }).now);
    const expired = sealPageToken({ debtorId, journeyNo: 1, stepNo: 1, expiresAt: clock - 3_600_000, instalment: 0 }, secret);
    const { page, context, status } = await openPhone(`${h.url}/p/${expired}`, 'expired');
    expect(status).toBe(404);
    const text = await page.textContent('body');
    expect(text).toContain('Deze link werkt niet (meer)');
    expect(text).toContain('088 999 0420');
    expect(text).not.toContain('OLD-1');
    await context.close();
    expect(await axe(`${h.url}/p/${expired}`)).toEqual([]);
  });

  it('100 wrong tokens from one address are rate-limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${h.url}/p/${'x'.repeat(40)}${String(i).padStart(3, '0')}`);
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
    expect(statuses.slice(-10).every((s) => s === 429)).toBe(true);
    // The limit is per address and per window: a later window serves again.
    await h.advance({ seconds: 1_200 });
    expect((await fetch(`${h.url}/p/${'y'.repeat(43)}`)).status).toBe(404);
  });
});
