/**
 * Finding dossiers (GET /v1/dossiers): a client's own dossiers only, by reference, status, debtor and creation
 * time, a page at a time. Three access patterns, none a Scan:
 *  - by reference: the client's reference claim (`CLIENT#<id>` / `REF#<reference>`) names the dossier: one read;
 *  - by debtor: the debtor's case holds every claim (its creditor, status, creation time): one read;
 *  - otherwise: the client's listing on GSI1 (`CLIENT#<id>` / `DOSSIER#<status>#<createdAt>#<id>`), a status and
 *    a creation range in the key condition when a status is given, else the range as a filter.
 * Every listing is in the GSI's order (status, then creation time, then id), so a cursor is simply "after this
 * listing key", tied to the filters it was made with.
 */
import { createHash } from 'node:crypto';
import { claimsOf } from '../domain/case/state.js';
import { HttpError } from '../shared/http.js';
import { filterInstant, LIST_LIMIT, type ListDossiersQuery } from '../shared/schemas/api.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, dossierIdByReference, getDossier, listClientDossiers, listingKey } from '../store/dossiers.js';
import { loadCase } from './case.js';

export interface DossierSummary {
  dossierId: string;
  reference: string;
  status: string;
  debtorId: string;
  createdAt: string;
  updatedAt: string;
}

interface Filters {
  reference?: string;
  status?: string;
  debtorId?: string;
  from?: string;
  to?: string;
}

const LISTING_KEY = /^DOSSIER#[a-z_]+#[0-9A-Za-z:.+-]*#[A-Za-z0-9_-]{1,100}$/;

/** What a cursor is bound to: the client and the filters (a cursor of another query is refused). */
function fingerprint(clientId: string, f: Filters): string {
  return createHash('sha256').update(JSON.stringify([clientId, f.reference ?? '', f.status ?? '', f.debtorId ?? '', f.from ?? '', f.to ?? ''])).digest('base64url').slice(0, 16);
}

function encodeCursor(after: string, fp: string): string {
  return Buffer.from(JSON.stringify({ a: after, q: fp }), 'utf8').toString('base64url');
}

const badCursor = (why: string) => new HttpError(400, 'validation_failed', 'Some query parameters are not accepted.', { cursor: why });

function decodeCursor(cursor: string, fp: string, f: Filters): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is not a cursor of this API: pass the nextCursor of the previous page unchanged');
  }
  const c = parsed as { a?: unknown; q?: unknown };
  if (!c || typeof c.a !== 'string' || typeof c.q !== 'string' || !LISTING_KEY.test(c.a)) {
    throw badCursor('is not a cursor of this API: pass the nextCursor of the previous page unchanged');
  }
  if (c.q !== fp) throw badCursor('belongs to a listing with other filters: send the same filters as for the page it came with');
  // Inside the range the query reads (DynamoDB refuses a start key outside it).
  if (f.status && !(c.a >= `DOSSIER#${f.status}#${f.from ?? ''}` && c.a <= `DOSSIER#${f.status}#${f.to ?? ''}~`)) throw badCursor('belongs to a listing with other filters');
  return c.a;
}

const summary = (d: DossierRecord): DossierSummary => ({
  dossierId: d.dossierId,
  reference: d.reference,
  status: String(d.status),
  debtorId: d.debtorId,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

const matches = (f: Filters) => (d: DossierSummary) =>
  (!f.status || d.status === f.status) &&
  (!f.debtorId || d.debtorId === f.debtorId) &&
  (!f.reference || d.reference === f.reference) &&
  (!f.from || d.createdAt >= f.from) &&
  (!f.to || d.createdAt <= f.to);

export async function listDossiers(client: Client, q: ListDossiersQuery, now: Date): Promise<{ dossiers: DossierSummary[]; nextCursor: string | null }> {
  const f: Filters = {
    ...(q.reference ? { reference: q.reference } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.debtorId ? { debtorId: q.debtorId } : {}),
    ...(q.createdFrom ? { from: filterInstant(q.createdFrom, 'from') } : {}),
    ...(q.createdTo ? { to: filterInstant(q.createdTo, 'to') } : {}),
  };
  const limit = q.limit ? Number(q.limit) : LIST_LIMIT.default;
  const fp = fingerprint(client.clientId, f);
  const after = q.cursor ? decodeCursor(q.cursor, fp, f) : undefined;

  if (f.reference) {
    // At most one: the first page has it, a later page nothing.
    if (after) return { dossiers: [], nextCursor: null };
    const id = await dossierIdByReference(client.clientId, f.reference);
    const d = id ? await getDossier(id) : undefined;
    const found = d && d.clientId === client.clientId ? [summary(d)].filter(matches(f)) : [];
    return { dossiers: found, nextCursor: null };
  }

  if (f.debtorId) {
    const c = await loadCase(f.debtorId, now);
    const all = (c ? claimsOf(c) : [])
      .filter((d) => d.clientId === client.clientId)
      .map((d) => summary({ ...d, debtorId: c!.caseId }))
      .filter(matches(f))
      .map((d) => ({ d, k: listingKey(d) }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .filter((x) => !after || x.k > after);
    const page = all.slice(0, limit);
    return { dossiers: page.map((x) => x.d), nextCursor: all.length > limit ? encodeCursor(page.at(-1)!.k, fp) : null };
  }

  const res = await listClientDossiers(client.clientId, { ...(f.status ? { status: f.status } : {}), ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}), ...(after ? { after } : {}), limit });
  return { dossiers: res.items.map(summary), nextCursor: res.after ? encodeCursor(res.after, fp) : null };
}
