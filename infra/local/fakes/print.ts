/**
 * Fake print-and-post service — our own contract, used by the letter adapter.
 *
 *   POST /v1/letters
 *   Authorization: Bearer <print api key>
 *   Content-Type: application/json
 *   {
 *     "pdfBase64": "<the letter as a base64 PDF, must start with %PDF->",
 *     "address":   { "name": "…", "line1": "…", "postalCode": "…", "city": "…", "country"?: "NL" },
 *     "reference"?: "<caller's reference, e.g. the journey step id>",
 *     "text"?:      "<plain-text rendering of the letter, for the outbox>",
 *     "metadata"?:  { "<key>": "<string>" … }
 *   }
 *   → 201 { "id": "ltr_…", "status": "accepted", "reference"?: "…" }
 *   Optional header Idempotency-Key (≤ 255 chars): a repeat with the same key is not posted twice; it gets
 *   200 and the first letter's { id, status, reference } back (so a client that timed out can safely retry).
 *   → 400 { "error": { "code": "invalid_request", "message", "field" } }, 401 { "error": { "code": "unauthorized", … } }
 *
 *   GET /v1/letters/{id}       → 200 { id, status: "accepted", reference?, receivedAt }
 *   GET /v1/letters/{id}.pdf   → 200 application/pdf
 *
 * JSON rather than a raw application/pdf body because a letter needs its address and reference next to
 * the PDF, and one self-describing body is easier to validate and to replay than PDF + custom headers.
 * The address shape is the render contract's debtor address plus the name.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { bearer, readBody, sameSecret, sendJson } from './http.js';
import type { ProviderRecord, RecordStore } from './store.js';

export interface PrintContext {
  clock: Clock;
  store: RecordStore;
  /** When set, the Bearer token must equal it; otherwise any non-empty Bearer token is accepted. */
  apiKey?: string;
}

export interface LetterRequest {
  pdfBase64: string;
  address: { name: string; line1: string; postalCode: string; city: string; country?: string };
  reference?: string;
  text?: string;
  metadata?: Record<string, string>;
}

export const MAX_LETTER_BYTES = 20 * 1024 * 1024;

export function isPrintPath(pathname: string): boolean {
  return pathname === '/v1/letters' || pathname.startsWith('/v1/letters/');
}

export function isPrintSend(method: string, pathname: string): boolean {
  return method === 'POST' && pathname === '/v1/letters';
}

export function printError(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  sendJson(res, status, { error: { code, message, ...(field && { field }) } });
}

/** The address on one line, as the record's `to`. */
export function formatAddress(a: LetterRequest['address']): string {
  return [a.name, a.line1, `${a.postalCode} ${a.city}`, a.country].filter((p) => p && p.trim()).join(', ');
}

export async function handlePrint(ctx: PrintContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const token = bearer(req);
  if (!token || (ctx.apiKey !== undefined && !sameSecret(token, ctx.apiKey))) {
    req.resume();
    printError(res, 401, 'unauthorized', 'a valid Authorization: Bearer <key> header is required');
    return;
  }
  if (req.method === 'GET') {
    req.resume();
    const m = /^\/v1\/letters\/([^/]+?)(\.pdf)?$/.exec(url.pathname);
    const record = m ? ctx.store.get(decodeURIComponent(m[1])) : undefined;
    if (!m || !record || record.provider !== 'print') {
      printError(res, 404, 'not_found', 'no such letter');
      return;
    }
    if (m[2]) {
      const pdf = ctx.store.pdf(record.id);
      if (!pdf) return printError(res, 404, 'not_found', 'the PDF of this letter is gone');
      res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': pdf.length });
      res.end(pdf);
      return;
    }
    sendJson(res, 200, { id: record.id, status: 'accepted', ...(record.reference && { reference: record.reference }), receivedAt: record.receivedAt });
    return;
  }
  if (!isPrintSend(req.method ?? '', url.pathname)) {
    req.resume();
    printError(res, 405, 'method_not_allowed', `${req.method} ${url.pathname} is not supported`);
    return;
  }
  const raw = await readBody(req, Math.ceil((MAX_LETTER_BYTES * 4) / 3) + 64 * 1024);
  const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
  if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 255)) {
    return printError(res, 400, 'invalid_request', 'Idempotency-Key must be 1–255 characters', 'Idempotency-Key');
  }
  const earlier = idempotencyKey ? ctx.store.byKey('print', idempotencyKey) : undefined;
  if (earlier) {
    sendJson(res, 200, { id: earlier.id, status: 'accepted', ...(earlier.reference !== undefined && { reference: earlier.reference }) });
    return;
  }
  let body: Partial<LetterRequest>;
  try {
    body = JSON.parse(raw.toString('utf8')) as Partial<LetterRequest>;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
  } catch {
    return printError(res, 400, 'invalid_request', 'the body must be a JSON object (Content-Type: application/json)');
  }
  if (typeof body.pdfBase64 !== 'string' || body.pdfBase64.length === 0) {
    return printError(res, 400, 'invalid_request', 'pdfBase64 is required', 'pdfBase64');
  }
  const pdf = Buffer.from(body.pdfBase64, 'base64');
  if (pdf.length < 8 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
    return printError(res, 400, 'invalid_request', 'pdfBase64 is not a base64-encoded PDF', 'pdfBase64');
  }
  const a = body.address;
  for (const field of ['name', 'line1', 'postalCode', 'city'] as const) {
    if (!a || typeof a[field] !== 'string' || !a[field].trim()) {
      return printError(res, 400, 'invalid_request', `address.${field} is required`, `address.${field}`);
    }
  }
  if (a!.country !== undefined && typeof a!.country !== 'string') {
    return printError(res, 400, 'invalid_request', 'address.country must be a string', 'address.country');
  }
  if (body.reference !== undefined && typeof body.reference !== 'string') {
    return printError(res, 400, 'invalid_request', 'reference must be a string', 'reference');
  }
  if (body.text !== undefined && typeof body.text !== 'string') {
    return printError(res, 400, 'invalid_request', 'text must be a string', 'text');
  }
  let metadata: Record<string, string> | undefined;
  if (body.metadata !== undefined) {
    if (!body.metadata || typeof body.metadata !== 'object' || Array.isArray(body.metadata)) {
      return printError(res, 400, 'invalid_request', 'metadata must be an object of strings', 'metadata');
    }
    metadata = {};
    for (const [k, v] of Object.entries(body.metadata)) {
      if (typeof v !== 'string') return printError(res, 400, 'invalid_request', 'metadata values must be strings', `metadata.${k}`);
      metadata[k] = v;
    }
  }

  const id = 'ltr_' + crypto.randomBytes(13).toString('hex');
  const pdfPath = ctx.store.putPdf(id, pdf); // the PDF first, then the record that points at it
  const record: ProviderRecord = {
    id,
    provider: 'print',
    channel: 'letter',
    to: formatAddress(a as LetterRequest['address']),
    text: body.text ?? '',
    ...(metadata && Object.keys(metadata).length > 0 && { customArgs: metadata }),
    ...(pdfPath !== undefined && { pdfPath }),
    ...(body.reference !== undefined && { reference: body.reference }),
    ...(idempotencyKey !== undefined && { idempotencyKey }),
    receivedAt: new Date(ctx.clock.now()).toISOString(),
  };
  ctx.store.append([record]); // durable before the answer
  sendJson(res, 201, { id, status: 'accepted', ...(body.reference !== undefined && { reference: body.reference }) });
}
