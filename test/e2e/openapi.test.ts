/**
 * The OpenAPI document (GET /openapi.json) and the docs page (GET /docs) against the running local runtime:
 * - the document is valid OpenAPI 3.1 (@readme/openapi-parser: the 3.1 schema plus the spec's own rules such as
 *   declared path parameters and unique operationIds);
 * - its operations are exactly the route table's, every one of them is answered by the server, and every route a
 *   handler serves is in the table (a route added to a handler's switch but not to the table fails here);
 * - every example in it is valid against its schema (and request examples against the zod schema itself);
 * - real answers of every route, successes and errors, match the documented status and schema, read strictly:
 *   a field a handler returns that the document does not describe fails the test;
 * - the docs page loads, is self-contained (no scripts, nothing fetched from elsewhere) and shows every route.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import twilio from 'twilio';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { validate, compileErrors } from '@readme/openapi-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { rawRequest, type RawResponse } from '../support/edge.js';
import { ROUTES } from '../../functions/shared/routes.js';
import { LOCAL_ROUTES } from '../../infra/local/local-routes.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';
import { EVENT_SIGNATURE_HEADER, EVENT_TIMESTAMP_HEADER, signSendgridEvents } from '../../infra/local/fakes/index.js';

type Doc = OpenAPIV3_1.Document;
const ROOT = path.resolve(import.meta.dirname, '../..');

let h: Harness;
let doc: Doc;
beforeAll(async () => {
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
  const res = await rawRequest(h.url, 'GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.json;
});
afterAll(async () => h?.stop());

const ALL_ROUTES = [...ROUTES, ...LOCAL_ROUTES];
const key = (method: string, p: string) => `${method.toUpperCase()} ${p}`;
const operations = (d: Doc) =>
  Object.entries(d.paths ?? {}).flatMap(([p, item]) =>
    (['get', 'post', 'put', 'patch', 'delete'] as const).filter((m) => item?.[m]).map((m) => ({ method: m, path: p, op: item![m]! })),
  );

// ---- JSON Schema validation of answers against the document ---------------------------------------------------

const DOC_ID = 'https://maatwerk.invalid/openapi.json';

/** A copy of the document's schemas in which every object with listed properties allows no others. */
function strictly<T>(node: T): T {
  if (Array.isArray(node)) return node.map(strictly) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' || k === 'examples' ? v : strictly(v);
  if ('properties' in out && out.additionalProperties === undefined) out.additionalProperties = false;
  return out as T;
}

function ajvFor(d: Doc, strict: boolean) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const absolute = JSON.parse(JSON.stringify(d.components ?? {}).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
  ajv.addSchema({ $id: DOC_ID, components: strict ? strictly(absolute) : absolute });
  return (schema: unknown, value: unknown): string | undefined => {
    const s = JSON.parse(JSON.stringify(strict ? strictly(schema) : schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
    const check = ajv.compile(typeof s === 'object' && s ? s : {});
    return check(value) ? undefined : ajv.errorsText(check.errors, { separator: '\n' });
  };
}

/** Every answer the tests saw, checked against the document at the end. */
const seen: Array<{ method: string; resource: string; res: RawResponse }> = [];

async function call(method: string, resource: string, p: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawResponse> {
  const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await rawRequest(h.url, method, p, { ...(raw !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers }, raw);
  seen.push({ method, resource, res });
  return res;
}

const ACME = { 'x-api-key': 'key-acme' };
const AGENCY = { 'x-api-key': 'key-agency' };

describe('the document', () => {
  it('is valid OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('has exactly the routes of the table, and the local runtime serves every one of them', async () => {
    expect(operations(doc).map((o) => key(o.method, o.path)).sort()).toEqual(ALL_ROUTES.map((r) => key(r.method, r.resource)).sort());
    for (const r of ALL_ROUTES) {
      const p = r.resource.replace(/\{\w+\}/g, 'x_1');
      const res = await rawRequest(h.url, r.method, p, { ...AGENCY, ...(r.method === 'POST' ? { 'content-type': 'application/json' } : {}) }, r.method === 'POST' ? '{}' : undefined);
      expect(res.status, key(r.method, r.resource)).not.toBe(405);
      // (the debtor page answers an unknown link with its friendly HTML page, not JSON)
      if (res.status === 404 && res.json) expect(res.json.error.message, key(r.method, r.resource)).not.toMatch(/^No (local )?route/);
    }
  });

  it('has every route a handler serves in the table (handlers’ switch cases ⊆ table ⊆ handlers)', () => {
    const src = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
    const apiCases = [...src('functions/api/handler.ts').matchAll(/case '(GET|POST|PUT|PATCH|DELETE) (\/[^']*)'/g)].map((m) => key(m[1], m[2]));
    expect(apiCases.sort()).toEqual(ROUTES.filter((r) => r.fn === 'api').map((r) => key(r.method, r.resource)).sort());
    // the API's description: the Docs function, by operationId
    const docCases = [...src('functions/docs/handler.ts').matchAll(/case '(\w+)':/g)].map((m) => m[1]);
    expect(docCases.sort()).toEqual(ROUTES.filter((r) => r.fn === 'docs').map((r) => r.operationId).sort());
    expect(ROUTES.filter((r) => r.fn === 'docs').map((r) => key(r.method, r.resource)).sort()).toEqual(['GET /docs', 'GET /openapi.json']);
    const hookCases = [...src('functions/webhooks/handler.ts').matchAll(/case '(\/webhooks[^']*)'/g)].map((m) => m[1]);
    expect(hookCases.sort()).toEqual(ROUTES.filter((r) => r.fn === 'webhooks').map((r) => r.resource).sort());
    const localCases = [...src('infra/local/api-server.ts').matchAll(/case '(local\w+)'/g)].map((m) => m[1]);
    expect(localCases.sort()).toEqual(LOCAL_ROUTES.map((r) => r.operationId).sort());
  });

  it('documents every field, enum and the error shape of the claim', () => {
    const schemas = doc.components!.schemas! as Record<string, OpenAPIV3_1.SchemaObject>;
    expect(Object.keys(schemas.CreateDossierBody.properties!).sort()).toEqual(['debtor', 'description', 'dueDate', 'instalment', 'principal', 'reference']);
    expect(Object.keys(schemas.DebtorInput.properties!).sort()).toEqual(
      ['address', 'consumer', 'debtorRef', 'email', 'incomeSource', 'language', 'name', 'paydayOfMonth', 'phone', 'whatsappOptIn'].sort(),
    );
    expect(schemas.DebtorInput.additionalProperties).toBe(false);
    expect(schemas.Language.enum).toEqual(['nl', 'en']);
    expect(JSON.stringify(schemas.IncomeSource)).toContain('"salary"');
    expect(schemas.Error.properties!.error).toMatchObject({ required: ['code', 'message'] });
    for (const { method, path: p, op } of operations(doc)) {
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses, key(method, p)).toContain('400');
      expect(statuses, key(method, p)).toContain('500');
      // a success: 2xx, or the 303 of a debtor page form and the fake checkout
      expect(statuses.some((s) => s.startsWith('2') || s === '303'), key(method, p)).toBe(true);
    }
  });

  it('has only examples that are valid against their own schema (request examples also against the zod schema)', () => {
    const check = ajvFor(doc, false);
    let examples = 0;
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      const isSchema = 'type' in n || 'anyOf' in n || 'oneOf' in n || '$ref' in n || 'properties' in n;
      if (isSchema) {
        const { example, examples: many, ...schema } = n;
        for (const ex of [...(example !== undefined ? [example] : []), ...(Array.isArray(many) ? many : [])]) {
          examples++;
          expect(check(schema, ex), `${where}: ${JSON.stringify(ex)}`).toBeUndefined();
        }
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'example' && k !== 'examples') walk(v, `${where}.${k}`);
    };
    walk(doc.components, 'components');
    walk(doc.paths, 'paths');
    expect(examples).toBeGreaterThan(30);
    for (const r of ALL_ROUTES) {
      if (r.body?.example === undefined) continue;
      const parsed = r.body.schema.safeParse(r.body.example);
      expect(parsed.success, `${key(r.method, r.resource)}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      const media = (doc.paths![r.resource] as Record<string, OpenAPIV3_1.OperationObject>)[r.method.toLowerCase()].requestBody as OpenAPIV3_1.RequestBodyObject;
      expect(Object.values(media.content)[0].example).toEqual(r.body.example);
    }
  });

  it('names the server the caller used', () => {
    expect(doc.servers).toEqual([{ url: h.url }]);
  });
});

describe('real answers match the document', () => {
  it('for every route: success and error answers, by status and schema, read strictly', async () => {
    // Client API
    const created = await call('POST', '/v1/dossiers', '/v1/dossiers', ACME, dossierBody({ reference: 'DOC-1' }, { phone: '+31612349001', email: 'doc@example.invalid', incomeSource: 'salary', paydayOfMonth: 25 }));
    expect(created.status).toBe(201);
    const { dossierId, debtorId } = created.json;
    await call('POST', '/v1/dossiers', '/v1/dossiers', ACME, dossierBody({ reference: 'DOC-1', principal: 1 }, { phone: '+31612349001', email: 'doc@example.invalid' })); // 409
    await call('POST', '/v1/dossiers', '/v1/dossiers', ACME, { reference: 'DOC-2' }); // 400 with fields
    await call('POST', '/v1/dossiers', '/v1/dossiers', { ...ACME, 'content-type': 'image/png' }, '{}'); // 415
    await call('POST', '/v1/dossiers', '/v1/dossiers', {}, dossierBody()); // 401
    const idem = { ...ACME, 'Idempotency-Key': 'doc-idem-1' };
    await call('POST', '/v1/dossiers', '/v1/dossiers', idem, dossierBody({ reference: 'DOC-3' }, { phone: '+31612349002', email: 'doc3@example.invalid' }));
    await call('POST', '/v1/dossiers', '/v1/dossiers', idem, dossierBody({ reference: 'DOC-4' }, { phone: '+31612349002', email: 'doc3@example.invalid' })); // 422
    await h.advance({ seconds: 0 });

    expect((await call('GET', '/v1/dossiers/{dossierId}', `/v1/dossiers/${dossierId}`, ACME)).status).toBe(200);
    await call('GET', '/v1/dossiers/{dossierId}', `/v1/dossiers/${dossierId}`, { 'x-api-key': 'key-globex' }); // 404
    await call('GET', '/v1/dossiers/{dossierId}', `/v1/dossiers/${'x'.repeat(200)}`, ACME); // 400
    expect((await call('GET', '/v1/debtors/{debtorId}', `/v1/debtors/${debtorId}`, ACME)).status).toBe(200);
    await call('GET', '/v1/debtors/{debtorId}', '/v1/debtors/deb_none', ACME); // 404

    // The webhook for notifications (registered with the fake receiver, so later events are delivered there).
    await call('GET', '/v1/webhook', '/v1/webhook', ACME); // 404
    await call('DELETE', '/v1/webhook', '/v1/webhook', ACME); // 404
    await call('PUT', '/v1/webhook', '/v1/webhook', ACME, { url: 'http://hooks.example.com/x' }); // 400
    const receiver = (await rawRequest(h.url, 'GET', '/local/webhooks')).json.url;
    expect((await call('PUT', '/v1/webhook', '/v1/webhook', ACME, { url: `${receiver}doc` })).status).toBe(200);
    expect((await call('GET', '/v1/webhook', '/v1/webhook', ACME)).status).toBe(200);

    // Finding, withdrawing, disputing; contact details and flags; the batch.
    expect((await call('GET', '/v1/dossiers', '/v1/dossiers?limit=1', ACME)).status).toBe(200);
    expect((await call('GET', '/v1/dossiers', '/v1/dossiers?reference=DOC-1&status=open', ACME)).status).toBe(200);
    await call('GET', '/v1/dossiers', '/v1/dossiers?limit=0', ACME); // 400
    const other = await call('POST', '/v1/dossiers', '/v1/dossiers', ACME, dossierBody({ reference: 'DOC-5' }, { name: 'Doc Vijf', phone: '+31612349005', email: 'doc5@example.invalid' }));
    const otherId = other.json.dossierId;
    expect((await call('POST', '/v1/dossiers/{dossierId}/dispute', `/v1/dossiers/${otherId}/dispute`, ACME, { reason: 'Betwist.' })).status).toBe(200);
    expect((await call('POST', '/v1/dossiers/{dossierId}/dispute/resolve', `/v1/dossiers/${otherId}/dispute/resolve`, ACME)).status).toBe(200);
    await call('POST', '/v1/dossiers/{dossierId}/dispute/resolve', `/v1/dossiers/${dossierId}/dispute/resolve`, ACME); // 409
    expect((await call('PATCH', '/v1/debtors/{debtorId}', `/v1/debtors/${other.json.debtorId}`, ACME, { email: 'doc5.nieuw@example.invalid', address: null })).status).toBe(200);
    await call('PATCH', '/v1/debtors/{debtorId}', `/v1/debtors/${other.json.debtorId}`, ACME, { email: null, phone: null }); // 422
    await call('PATCH', '/v1/debtors/{debtorId}', `/v1/debtors/${other.json.debtorId}`, ACME, { mail: 'x' }); // 400
    expect((await call('POST', '/v1/debtors/{debtorId}/flags', `/v1/debtors/${other.json.debtorId}/flags`, ACME, { add: ['vulnerable'] })).status).toBe(200);
    await call('POST', '/v1/debtors/{debtorId}/flags', `/v1/debtors/${other.json.debtorId}/flags`, ACME, { add: ['nope'] }); // 400
    expect((await call('POST', '/v1/dossiers/{dossierId}/withdraw', `/v1/dossiers/${otherId}/withdraw`, ACME, { reason: 'Ingetrokken.' })).status).toBe(200);
    await call('POST', '/v1/dossiers/{dossierId}/dispute', `/v1/dossiers/${otherId}/dispute`, ACME); // 409
    await call('POST', '/v1/dossiers/{dossierId}/withdraw', `/v1/dossiers/${otherId}/withdraw`, { 'x-api-key': 'key-globex' }); // 404
    const batch = await call('POST', '/v1/dossiers/batch', '/v1/dossiers/batch', ACME, {
      claims: [dossierBody({ reference: 'DOC-6' }, { name: 'Doc Zes', phone: '+31612349006', email: 'doc6@example.invalid' }), { reference: 'DOC-7' }, dossierBody({ reference: 'DOC-1', principal: 1 })],
    });
    expect(batch.json.results.map((r: { status: number }) => r.status)).toEqual([201, 400, 409]);
    await call('POST', '/v1/dossiers/batch', '/v1/dossiers/batch', ACME, { claims: [] }); // 400
    await h.advance({ seconds: 0 });

    // A journey far enough for an agent's call task.
    let taskId: string | undefined;
    for (let i = 0; i < 20 && !taskId; i++) {
      await h.advance({ seconds: 5 * 86_400 });
      const tasks = await call('GET', '/v1/tasks', '/v1/tasks', AGENCY);
      expect(tasks.status).toBe(200);
      taskId = tasks.json.tasks.find((t: { debtorId: string }) => t.debtorId === debtorId)?.taskId;
    }
    expect(taskId, 'the journey reached an agent’s call').toBeDefined();
    await call('GET', '/v1/tasks', '/v1/tasks', ACME); // 403
    await call('GET', '/v1/tasks', '/v1/tasks?status=done', AGENCY); // 400
    expect((await call('POST', '/v1/tasks/{taskId}/complete', `/v1/tasks/${taskId}/complete`, AGENCY, { outcome: 'promise_to_pay', note: 'Betaalt vrijdag.' })).status).toBe(200);
    await call('POST', '/v1/tasks/{taskId}/complete', `/v1/tasks/${taskId}/complete`, AGENCY, { outcome: 'no_answer' }); // 409
    await call('POST', '/v1/tasks/{taskId}/complete', '/v1/tasks/task_none/complete', AGENCY, { outcome: 'reached' }); // 404
    expect((await call('POST', '/v1/dossiers/{dossierId}/payments', `/v1/dossiers/${dossierId}/payments`, ACME, { amount: 2500, reference: 'BANK-77' })).status).toBe(200);
    await call('POST', '/v1/dossiers/{dossierId}/payments', `/v1/dossiers/${dossierId}/payments`, ACME, { amount: -1 }); // 400

    // Learning: the KPIs and an experiment's results
    expect((await call('GET', '/v1/reports/kpis', '/v1/reports/kpis?from=2026-01-01&to=2026-12-31&groupBy=channel', AGENCY)).status).toBe(200);
    expect((await call('GET', '/v1/reports/kpis', '/v1/reports/kpis?groupBy=segment', ACME)).status).toBe(200);
    await call('GET', '/v1/reports/kpis', '/v1/reports/kpis?groupBy=colour', AGENCY); // 400
    await call('GET', '/v1/reports/kpis', '/v1/reports/kpis', {}); // 401
    await call('GET', '/v1/experiments/{experimentId}/results', '/v1/experiments/none-such/results', AGENCY); // 404 (the default strategy has none)
    await call('GET', '/v1/experiments/{experimentId}/results', `/v1/experiments/${'x'.repeat(200)}/results`, AGENCY); // 400

    // Webhooks
    const inbound = `${h.url}/webhooks/twilio/inbound`;
    const params = { MessageSid: 'SM0000000000000000000000000000d0c1', AccountSid: LOCAL_DEFAULTS.twilioAccountSid, From: '+31612349001', To: LOCAL_DEFAULTS.smsFrom, Body: 'ik betaal vrijdag' };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await call('POST', '/webhooks/twilio/inbound', '/webhooks/twilio/inbound', { ...form, 'x-twilio-signature': twilio.getExpectedTwilioSignature(h.rt.twilioAuthToken, inbound, params) }, new URLSearchParams(params).toString())).status).toBe(200);
    await call('POST', '/webhooks/twilio/inbound', '/webhooks/twilio/inbound', form, new URLSearchParams(params).toString()); // 403
    const status = { MessageSid: 'SM0000000000000000000000000000d0c2', MessageStatus: 'delivered' };
    const statusUrl = `${h.url}/webhooks/twilio/status`;
    expect((await call('POST', '/webhooks/twilio/status', '/webhooks/twilio/status', { ...form, 'x-twilio-signature': twilio.getExpectedTwilioSignature(h.rt.twilioAuthToken, statusUrl, status) }, new URLSearchParams(status).toString())).status).toBe(204);
    const ts = String(Math.floor(Date.parse((await rawRequest(h.url, 'GET', '/local/clock')).json.now) / 1000));
    const sgKey = crypto.createPrivateKey(fs.readFileSync(path.join(h.dataDir, 'sendgrid-event-key.pem')));
    const events = '[]';
    expect((await call('POST', '/webhooks/sendgrid/events', '/webhooks/sendgrid/events', { 'content-type': 'application/json', [EVENT_SIGNATURE_HEADER]: signSendgridEvents(sgKey, ts, events), [EVENT_TIMESTAMP_HEADER]: ts }, events)).status).toBe(200);
    await call('POST', '/webhooks/sendgrid/events', '/webhooks/sendgrid/events', { 'content-type': 'application/json' }, events); // 403

    // The debtor page, its forms, the Mollie webhook and the fake checkout (issue 9)
    const sms = (await rawRequest(h.url, 'GET', '/local/outbox')).json.messages.find((m: { debtorId: string; text: string }) => m.debtorId === debtorId && /\/p\//.test(m.text));
    const pagePath = new URL(/(https?:\/\/\S+\/p\/[A-Za-z0-9_-]+)/.exec(sms.text)![1]).pathname;
    expect((await call('GET', '/p/{token}', '/p/{token}'.replace('{token}', pagePath.slice(3)))).status).toBe(200);
    await call('GET', '/p/{token}', '/p/not-a-valid-link-token-at-all-0000000000'); // 404, the friendly page
    await call('GET', '/p/{token}', `${pagePath}?lang=fr`); // 400
    const pageForm = (fields: Record<string, string>) => [form, new URLSearchParams(fields).toString()] as const;
    expect((await call('POST', '/p/{token}/plan', `${pagePath}/plan`, ...pageForm({ option: '9' }))).status).toBe(400);
    await call('POST', '/p/{token}/plan', `${pagePath}/plan`, ...pageForm({ option: '3' })); // 409: no such plan for this amount
    expect((await call('POST', '/p/{token}/plan', `${pagePath}/plan`, ...pageForm({ option: '1' }))).status).toBe(303);
    expect((await call('POST', '/p/{token}/tell', `${pagePath}/tell`, ...pageForm({ what: 'already_paid' }))).status).toBe(303);
    const pay = await call('POST', '/p/{token}/pay', `${pagePath}/pay`, ...pageForm({ what: 'all' }));
    expect(pay.status).toBe(303);
    const checkoutPath = new URL(String(pay.headers.location)).pathname;
    const paymentId = checkoutPath.split('/').at(-1)!;
    expect((await call('GET', '/local/mollie/checkout/{paymentId}', checkoutPath)).status).toBe(200);
    expect((await call('POST', '/local/mollie/checkout/{paymentId}', checkoutPath, ...pageForm({ status: 'failed' }))).status).toBe(303);
    await call('POST', '/local/mollie/checkout/{paymentId}', checkoutPath, ...pageForm({ status: 'paid' })); // 409: not open
    await call('POST', '/local/mollie/payments/{paymentId}', `/local/mollie/payments/${paymentId}`, {}, { status: 'paid' }); // 409
    const pay2 = await call('POST', '/p/{token}/pay', `${pagePath}/pay`, ...pageForm({ what: 'claim-1' }));
    const paymentId2 = new URL(String(pay2.headers.location)).pathname.split('/').at(-1)!;
    expect((await call('POST', '/local/mollie/payments/{paymentId}', `/local/mollie/payments/${paymentId2}`, {}, { status: 'paid' })).status).toBe(200);
    await call('POST', '/local/mollie/payments/{paymentId}', `/local/mollie/payments/${paymentId2}`, {}, { refund: 999_999_999 }); // 422
    await call('POST', '/local/mollie/payments/{paymentId}', '/local/mollie/payments/tr_none', {}, { status: 'paid' }); // 404
    expect((await call('POST', '/webhooks/mollie', '/webhooks/mollie', form, 'id=tr_unknown0000')).status).toBe(200);
    await call('POST', '/webhooks/mollie', '/webhooks/mollie', form, 'nothing=here'); // 400

    // Documentation and the local routes
    expect((await call('GET', '/openapi.json', '/openapi.json')).status).toBe(200);
    expect((await call('GET', '/docs', '/docs')).status).toBe(200);
    await call('GET', '/local/clock', '/local/clock');
    await call('POST', '/local/clock/advance', '/local/clock/advance', {}, { seconds: 60 });
    await call('POST', '/local/clock/advance', '/local/clock/advance', {}, { until: '2000-01-01T00:00:00Z' }); // 422
    await call('POST', '/local/clock/advance', '/local/clock/advance', {}, { seconds: 1e13 }); // 400
    const outbox = await call('GET', '/local/outbox', '/local/outbox');
    const letter = outbox.json.messages.find((m: { channel: string }) => m.channel === 'letter');
    expect(letter, 'a letter was sent').toBeDefined();
    const pdf = await call('GET', '/local/outbox/{messageId}.pdf', new URL(letter.pdf).pathname);
    expect(pdf.text.startsWith('%PDF')).toBe(true);
    await call('GET', '/local/outbox/{messageId}.pdf', '/local/outbox/LTnone.pdf'); // 404
    expect((await call('GET', '/local/report', '/local/report?from=2026-01-01&to=2026-12-31')).status).toBe(200);
    await call('POST', '/local/webhooks/fail', '/local/webhooks/fail', {}, { times: 1, status: 500 });
    await call('POST', '/local/webhooks/fail', '/local/webhooks/fail', {}, { times: 0 }); // 400
    const hooks = await call('GET', '/local/webhooks', '/local/webhooks?receiver=doc');
    expect(hooks.json.deliveries.length, 'the events of the run were delivered').toBeGreaterThan(0);
    await call('GET', '/local/webhooks', '/local/webhooks?nope=1'); // 400
    expect((await call('POST', '/local/streams/flush', '/local/streams/flush')).json.pendingRecords).toBe(0);
    expect((await call('GET', '/local/streams', '/local/streams')).json.stats.records).toBeGreaterThan(0);
    expect((await call('DELETE', '/v1/webhook', '/v1/webhook', ACME)).status).toBe(204);

    // Every answer: a documented status, a documented content type, a body that matches its schema strictly.
    const check = ajvFor(doc, true);
    const byRoute = new Map<string, Set<string>>();
    for (const { method, resource, res } of seen) {
      const where = `${key(method, resource)} → ${res.status}`;
      const op = (doc.paths![resource] as Record<string, OpenAPIV3_1.OperationObject>)[method.toLowerCase()];
      const answer = op.responses![String(res.status)] as OpenAPIV3_1.ResponseObject | undefined;
      expect(answer, `${where} is documented (${res.text.slice(0, 200)})`).toBeDefined();
      (byRoute.get(key(method, resource)) ?? byRoute.set(key(method, resource), new Set()).get(key(method, resource))!).add(String(res.status));
      if (!answer!.content) {
        expect(res.text, where).toBe('');
        continue;
      }
      const [type, media] = Object.entries(answer!.content)[0];
      expect(String(res.headers['content-type']), where).toContain(type);
      if (type === 'application/json') expect(check(media.schema, res.json), `${where}: ${res.text.slice(0, 300)}`).toBeUndefined();
    }
    // Each route was seen answering at least once, most with a success and an error.
    expect([...byRoute.keys()].sort()).toEqual(ALL_ROUTES.map((r) => key(r.method, r.resource)).sort());
  }, 120_000);
});

describe('the docs page', () => {
  it('loads, self-contained, and shows every route, field and schema of the document', async () => {
    const res = await rawRequest(h.url, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.text;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/\bsrc=/i);
    for (const m of html.matchAll(/href="([^"]+)"/g)) expect(m[1], 'only links within the page or to openapi.json').toMatch(/^#|^openapi\.json$/);
    for (const { method, path: p } of operations(doc)) expect(html).toContain(`${method.toUpperCase()}</span> <code>${p.replace(/&/g, '&amp;')}</code>`);
    for (const name of Object.keys(doc.components!.schemas!)) expect(html).toContain(`id="schema-${name}"`);
    for (const field of ['postalCode', 'amounts.outstanding', 'tasks[].context.talkingLine', 'incomeSource', 'paydayOfMonth', 'debtorRef', 'whatsappOptIn', 'Idempotency-Key']) expect(html).toContain(field);
    expect(html).toContain('{&quot;type&quot;:&quot;uwv&quot;,&quot;benefit&quot;:'); // the income source forms, spelt out
  });
});
