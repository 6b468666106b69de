/**
 * Property-based fuzzing (fast-check) of every route of the local runtime — the API, the webhooks, the docs and
 * the /local routes — with random methods, paths (ids of every length, malformed %-escapes), query strings
 * (`__proto__`, `constructor`, …), headers, content types and bodies (random JSON, and valid claims and payments
 * with a few fields broken). For every request:
 * - no 5xx, ever;
 * - every answer's status is one the OpenAPI document lists for that route, and errors have the §7 shape;
 * - a 4xx writes nothing: the stored items, provider messages and journey executions are the same after it.
 *
 * Deterministic: a fixed seed (FUZZ_SEED to try another) and a bounded number of runs (FUZZ_RUNS); on a failure
 * fast-check prints the seed, the path and the shrunk request, so it can be replayed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAPIV3_1 } from 'openapi-types';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { rawRequest, storeCounts } from '../support/edge.js';
import { matchRoute, ROUTES, type Route } from '../../functions/shared/routes.js';
import { LOCAL_ROUTES } from '../../infra/local/local-routes.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_301);
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const ALL_ROUTES: readonly Route[] = [...ROUTES, ...LOCAL_ROUTES];

let h: Harness;
let doc: OpenAPIV3_1.Document;
const known: { dossierId: string; debtorId: string } = { dossierId: '', debtorId: '' };

beforeAll(async () => {
  h = await startLocal({ start: '2026-03-03T09:00:00Z' });
  doc = (await rawRequest(h.url, 'GET', '/openapi.json')).json;
  const created = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'FUZZ-0' }, { phone: '+31612348000', email: 'fuzz@example.invalid' }));
  expect(created.status).toBe(201);
  Object.assign(known, created.body);
  await h.advance({ seconds: 0 });
});
afterAll(async () => h?.stop());

// ---- arbitraries ---------------------------------------------------------------------------------------------

/** Values that broke things before issue 13, besides anything fast-check makes up. */
const nasty = fc.constantFrom<unknown>(
  null,
  '',
  '\u0000',
  'a\u001b[31m',
  '\ud800',
  '9999-12-31',
  '0000-01-01',
  '+275760-09-13T00:00:00.000Z',
  1e13,
  2 ** 53,
  -1,
  0,
  0.5,
  'NaN',
  'salary',
  { type: 'salary', day: 25 },
  [],
  {},
  '__proto__',
  'x'.repeat(3000),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 2, arbitrary: nasty });

const CLAIM_FIELDS = ['reference', 'principal', 'dueDate', 'description', 'debtor', 'debtor.name', 'debtor.email', 'debtor.phone', 'debtor.consumer', 'debtor.language', 'debtor.address', 'debtor.address.postalCode', 'debtor.address.country', 'debtor.incomeSource', 'debtor.paydayOfMonth', 'debtor.debtorRef', 'debtor.whatsappOptIn', 'paydayOfMonth', '__proto__', 'constructor', 'extra'];
const PAYMENT_FIELDS = ['amount', 'paidAt', 'reference', 'extra', '__proto__'];
const TASK_FIELDS = ['outcome', 'note', 'extra'];
const CLOCK_FIELDS = ['seconds', 'until', 'extra'];
const BATCH_FIELDS = ['claims', 'claims.0', 'claims.0.reference', 'claims.0.principal', 'claims.0.debtor.phone', 'claims.1', 'extra'];
const PATCH_FIELDS = ['email', 'phone', 'address', 'address.postalCode', 'whatsappOptIn', 'dossierIds', 'name', 'extra', '__proto__'];
const FLAG_FIELDS = ['add', 'add.0', 'remove', 'extra'];
const REASON_FIELDS = ['reason', 'extra'];

function setPath(obj: Record<string, any>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let target = obj;
  for (const k of keys.slice(0, -1)) {
    if (!target[k] || typeof target[k] !== 'object') Object.defineProperty(target, k, { value: {}, enumerable: true, writable: true, configurable: true });
    target = target[k];
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete target[last];
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true }); // also "__proto__" as a plain key
}

/** A valid body with 0–3 fields replaced, removed or added: mostly near-misses, sometimes still valid. */
const mutated = (base: () => Record<string, unknown>, fields: string[]) =>
  fc
    .tuple(
      fc.oneof(
        { weight: 2, arbitrary: fc.constant([] as Array<[string, unknown]>) },
        { weight: 3, arbitrary: fc.array(fc.tuple(fc.constantFrom(...fields), fc.option(anyValue, { nil: undefined, freq: 4 })), { minLength: 1, maxLength: 3 }) },
      ),
      // few references, so the same one comes again: replays, 409s, reused Idempotency-Keys
      fc.integer({ min: 0, max: 40 }),
    )
    .map(([changes, n]) => {
      const body = base();
      if ('reference' in body && typeof body.reference === 'string' && body.reference.startsWith('INV-')) body.reference = `FZ-${n}`;
      for (const [field, value] of changes) setPath(body, field, value);
      return JSON.stringify(body);
    });

const claim = () => dossierBody({}, { phone: '+31612348001', email: 'fuzz1@example.invalid' }) as unknown as Record<string, unknown>;
const bodyFor = (route: Route | undefined, polite: boolean): fc.Arbitrary<string | undefined> => {
  const specific =
    route?.operationId === 'createDossier'
      ? mutated(claim, CLAIM_FIELDS)
      : route?.operationId === 'addPayment'
        ? mutated(() => ({ amount: 500, reference: 'FUZZ-PAY' }), PAYMENT_FIELDS)
        : route?.operationId === 'completeTask'
          ? mutated(() => ({ outcome: 'reached' }), TASK_FIELDS)
          : route?.operationId === 'localClockAdvance'
            ? mutated(() => ({ seconds: 60 }), CLOCK_FIELDS)
            : route?.operationId === 'createDossiers'
              ? mutated(() => ({ claims: [claim(), dossierBody({}, { name: 'Fuzz Twee', phone: '+31612348002', email: 'fuzz2@example.invalid' })] }), BATCH_FIELDS)
              : route?.operationId === 'updateDebtor'
                ? mutated(() => ({ email: 'fuzz.new@example.invalid' }), PATCH_FIELDS)
                : route?.operationId === 'setDebtorFlags'
                  ? mutated(() => ({ add: ['vulnerable'] }), FLAG_FIELDS)
                  : route?.operationId === 'withdrawDossier' || route?.operationId === 'disputeDossier' || route?.operationId === 'resolveDispute'
                    ? mutated(() => ({ reason: 'fuzz' }), REASON_FIELDS)
                    : fc.constant('{}');
  if (polite) return route?.method === 'GET' ? fc.constant(undefined) : specific;
  return fc.oneof(
    { weight: 6, arbitrary: specific },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom('null', '[]', '{"a":', '\u0000', 'MessageSid=SM1&From=%2B31612348000&Body=STOP', '{"__proto__":{"admin":true}}') },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  );
};

const idSegment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(() => known.dossierId, () => known.debtorId).map((f) => f()) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '..', '%2F', 'a%2Fb', 'constructor', '__proto__', 'd'.repeat(2048)) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }).map((s) => encodeURIComponent(s).replace(/%2[05]/g, '%')) },
);

const query = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'status', 'c', 'j', 's', 'x[y]', 'hasOwnProperty', 'limit', 'cursor', 'reference', 'createdFrom', 'debtorId'), fc.string({ maxLength: 10 })), fc.oneof(fc.constantFrom('open', 'done', '1', '', '101', '2026-03-01', 'eyJhIjoiRE9TU0lFUiMifQ'), fc.string({ maxLength: 10 }))), { minLength: 1, maxLength: 3 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?%', '?a=%E0%A4%A', '?&&=', '?__proto__[x]=1') },
);

/** Each route's own Content-Type most of the time (so requests get past the edge), anything else otherwise. */
const contentType = (route: Route | undefined) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant(route?.body?.type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json') },
    { weight: 3, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'image/png', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/problem+json', undefined) },
  );
const apiKey = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('key-acme', 'key-agency') }, { weight: 2, arbitrary: fc.constantFrom('key-globex', 'wrong', 'k'.repeat(5000), undefined) });

const request = fc
  .record({
    // Routes that write are drawn more often; index ALL_ROUTES.length is an unknown path.
    routeIndex: fc.oneof(
      { weight: 2, arbitrary: fc.constant(ALL_ROUTES.findIndex((r) => r.operationId === 'createDossier')) },
      { weight: 1, arbitrary: fc.constant(ALL_ROUTES.findIndex((r) => r.operationId === 'addPayment')) },
      { weight: 2, arbitrary: fc.constantFrom(...ALL_ROUTES.flatMap((r, i) => (r.body ? [i] : []))) },
      { weight: 2, arbitrary: fc.nat({ max: ALL_ROUTES.length }) },
    ),
    otherMethod: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') }),
    segments: fc.array(idSegment, { minLength: 2, maxLength: 2 }),
    query,
    trailingSlash: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    apiKey,
    idempotencyKey: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom('fuzz-key-1', 'fuzz-key-2') }, { weight: 1, arbitrary: fc.string({ maxLength: 200 }) }),
    signature: fc.option(fc.base64String({ maxLength: 40 })),
    // A third of the requests are well-formed around their body (route's method and Content-Type, a valid key, no
    // query), so the fuzzing reaches past the edge into the services, not only the refusals.
    polite: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
  })
  .chain((r) => {
    const route = ALL_ROUTES[r.routeIndex];
    return fc.tuple(bodyFor(route, r.polite && !!route), contentType(route)).map(([body, type]) => ({ ...r, route, body, contentType: type }));
  })
  .map((r) => {
    if (r.polite && r.route) {
      Object.assign(r, { otherMethod: null, query: '', trailingSlash: false, apiKey: r.route.auth === 'agentKey' ? 'key-agency' : 'key-acme' });
      r.contentType = r.route.body?.type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      if (r.idempotencyKey !== null && !/^[\w.:-]{1,128}$/.test(r.idempotencyKey)) r.idempotencyKey = null;
    }
    let i = 0;
    const p = r.route ? r.route.resource.replace(/\{\w+\}/g, () => r.segments[i++]) : `/${r.segments.join('/')}`;
    const headers: Record<string, string> = {};
    if (r.contentType) headers['content-type'] = r.contentType;
    if (r.apiKey) headers['x-api-key'] = r.apiKey;
    if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey.replace(/[^\x20-\x7e]/g, '');
    if (r.signature !== null) {
      headers['x-twilio-signature'] = r.signature;
      headers['x-twilio-email-event-webhook-signature'] = r.signature;
      headers['x-twilio-email-event-webhook-timestamp'] = '1772528400';
    }
    const method = r.otherMethod ?? r.route?.method ?? 'GET';
    return { method, path: `${p}${r.trailingSlash ? '/' : ''}${r.query}`, headers, body: r.body };
  });

// ---- the property --------------------------------------------------------------------------------------------

function documentedStatuses(method: string, pathOnly: string): Set<number> | undefined {
  const local = pathOnly.startsWith('/local/');
  const match = matchRoute(method, pathOnly, local ? LOCAL_ROUTES : ROUTES);
  if (match.kind !== 'match') return undefined;
  const op = (doc.paths![match.route.resource] as Record<string, OpenAPIV3_1.OperationObject>)[method.toLowerCase()];
  return new Set(Object.keys(op.responses ?? {}).map(Number));
}

describe('fuzzing every route of the local runtime', () => {
  it(`never answers 5xx, answers only documented statuses, and a 4xx writes nothing (${RUNS} requests, seed ${SEED})`, async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        await h.advance({ seconds: 0 }); // journeys started by earlier 2xx answers settle first
        const before = await storeCounts(h.rt);
        const res = await rawRequest(h.url, req.method, req.path, req.headers, req.body);
        seen[`${res.status}`] = (seen[`${res.status}`] ?? 0) + 1;
        expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
        const pathOnly = req.path.split('?')[0];
        const statuses = documentedStatuses(req.method, pathOnly);
        // Unknown paths and methods: 404/405, a malformed %-escape in a path: 400.
        expect([...(statuses ?? new Set([400, 404, 405]))], `status ${res.status} for ${req.method} ${pathOnly.slice(0, 80)}: ${res.text.slice(0, 200)}`).toContain(res.status);
        if (res.status >= 400) {
          // The debtor page answers its own errors (an unknown link, too many requests, a bad form) as friendly HTML.
          if (pathOnly.startsWith('/p/') && String(res.headers['content-type']).startsWith('text/html')) expect(res.text).toMatch(/^<!doctype html>/);
          else expect(res.json?.error, res.text.slice(0, 200)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
          expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+/);
          await h.advance({ seconds: 0 });
          expect(await storeCounts(h.rt), `${req.method} ${req.path.slice(0, 100)} → ${res.status} ${res.text.slice(0, 200)}`).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: RUNS, verbose: 1 },
    );
    console.info('fuzz statuses:', JSON.stringify(seen));
    // The run reached past the edge, not only refusals.
    expect(Object.keys(seen).some((s) => s.startsWith('2'))).toBe(true);
    expect(seen['400']).toBeGreaterThan(RUNS / 10);
  }, 300_000);
});
