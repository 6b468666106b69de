/**
 * Batch intake (POST /v1/dossiers/batch): up to 500 claims, each filed exactly as POST /v1/dossiers files it
 * (services/intake.ts) and answered with what that route would have answered for it alone — 201 with the dossier,
 * or the 400/409/422 with its error — so a batch is idempotent per claim: a claim sent again (same reference, same
 * content) answers 201 with the same ids and writes nothing new (`replayed`).
 *
 * Claims run a few at a time. Claims that may concern one person (they share a name with a phone, email, postal
 * address or debtorRef) or one reference run one after another, in their order in the batch, so they meet in the
 * case as consecutive single requests would, without contending for it.
 */
import { addressKey, normaliseEmail, normaliseName } from '../domain/case/identity.js';
import { HttpError } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import { type CreateDossierBody, createDossierBodyAt } from '../shared/schemas/api.js';
import { fieldErrors, friendlyError } from '../shared/schemas/fields.js';
import type { Client } from '../store/clients.js';
import { createDossier } from './intake.js';

/** Claims filed at once (each is a handful of DynamoDB requests and possibly a StartExecution). */
export const BATCH_CONCURRENCY = 8;

export interface BatchItemResult {
  index: number;
  status: number;
  body: unknown;
  replayed?: boolean;
}

const errorBody = (err: HttpError) => ({ error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } });

/** Groups of claim indexes that must run one after another (union-find over what could make them one person). */
function groups(valid: Array<{ index: number; body: CreateDossierBody }>): number[][] {
  const parent = new Map<number, number>();
  const find = (i: number): number => {
    let r = i;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(i, r);
    return r;
  };
  const owner = new Map<string, number>();
  for (const { index, body } of valid) {
    parent.set(index, index);
    const name = normaliseName(body.debtor.name);
    const keys = [`ref|${body.reference}`];
    if (body.debtor.phone) keys.push(`p|${name}|${body.debtor.phone}`);
    if (body.debtor.email) keys.push(`e|${name}|${normaliseEmail(body.debtor.email)}`);
    if (body.debtor.address) keys.push(`a|${name}|${addressKey(body.debtor.address)}`);
    if (body.debtor.debtorRef) keys.push(`r|${body.debtor.debtorRef}`);
    for (const k of keys) {
      const o = owner.get(k);
      if (o === undefined) owner.set(k, index);
      else parent.set(find(index), find(o));
    }
  }
  const out = new Map<number, number[]>();
  for (const { index } of valid) {
    const r = find(index);
    out.set(r, [...(out.get(r) ?? []), index]);
  }
  return [...out.values()];
}

export async function createDossiers(client: Client, claims: readonly unknown[], now: Date) {
  const schema = createDossierBodyAt(now);
  const results: BatchItemResult[] = [];
  const valid: Array<{ index: number; body: CreateDossierBody }> = [];
  claims.forEach((raw, index) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      results.push({ index, status: 400, body: errorBody(new HttpError(400, 'invalid_body', 'A claim must be a JSON object, as POST /v1/dossiers takes it; see GET /docs.')) });
      return;
    }
    const parsed = schema.safeParse(raw, { error: friendlyError });
    if (!parsed.success) {
      results.push({ index, status: 400, body: errorBody(new HttpError(400, 'validation_failed', 'Some fields are missing or invalid.', fieldErrors(parsed.error, schema))) });
      return;
    }
    valid.push({ index, body: parsed.data });
  });
  const byIndex = new Map(valid.map((v) => [v.index, v.body]));
  const queue = groups(valid);
  const file = async (index: number): Promise<BatchItemResult> => {
    try {
      const res = await createDossier(client, byIndex.get(index)!, undefined, now);
      return { index, status: res.status, body: res.body, ...(res.replayed ? { replayed: true } : {}) };
    } catch (err) {
      if (err instanceof HttpError) return { index, status: err.status, body: errorBody(err) };
      logger.error('batch claim failed', { index, errorName: (err as Error)?.name });
      return { index, status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side; this claim was not applied. Send it again.' } } };
    }
  };
  const workers = Array.from({ length: Math.min(BATCH_CONCURRENCY, queue.length) }, async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const index of group) results.push(await file(index));
    }
  });
  await Promise.all(workers);
  results.sort((a, b) => a.index - b.index);
  const succeeded = results.filter((r) => r.status >= 200 && r.status < 300).length;
  return { results, succeeded, failed: results.length - succeeded };
}
