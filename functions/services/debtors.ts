/**
 * What a creditor changes about a debtor (API §7): the contact details it gave with its own claims
 * (PATCH /v1/debtors/{id}) and flags (POST /v1/debtors/{id}/flags). Contact details belong to the claim they came
 * with (DESIGN §4): a creditor replaces its own, never another creditor's, even when both gave the same number.
 * Opt-outs stay where they belong: a number someone opted out of keeps it (on the case's contact point, and at the
 * number, for whoever is filed with it later), a new number brings the opt-outs recorded for it, and the person's
 * own opt-outs (STOPALL) hold on every number they get.
 *
 * Each is an event on the case (domain/case/events.ts `contact_updated`, `flags_set`), then the look-ups of new
 * contact points and the timeline entry, then the journey is woken: a new email after a bounce, a WSNP flag that
 * stops all outreach, take effect at the next decision, now. A request that fails changes nothing; the same
 * request again changes nothing more.
 */
import { applyEvent, type CaseEvent, type NewContactPoint } from '../domain/case/events.js';
import { addressKey, identityKeys, normaliseEmail } from '../domain/case/identity.js';
import { type CaseState, type ClaimRecord, claimsOf } from '../domain/case/state.js';
import type { ContactPointKind } from '../domain/vocabulary.js';
import { HttpError } from '../shared/http.js';
import type { FlagsBody, PatchDebtorBody } from '../shared/schemas.js';
import type { Item } from '../store/batch.js';
import type { Client } from '../store/clients.js';
import { addIdentityKeys, earlierUse, emailIndexItem, phoneIndexItem, recordNumberOptOut } from '../store/identity.js';
import { appendEvents } from '../store/timeline.js';
import { loadCase, mutateCase } from './case.js';
import { startOrWake } from './journey-control.js';
import { debtorView } from './views.js';

/** The client's own claims on this debtor; none (or no such debtor) is a 404, as for another client's debtor. */
async function ownClaims(client: Client, debtorId: string, now: Date): Promise<{ c: CaseState; own: ClaimRecord[] }> {
  const c = await loadCase(debtorId, now);
  const own = c ? claimsOf(c).filter((d) => d.clientId === client.clientId) : [];
  if (!c || (own.length === 0 && !client.agent) || claimsOf(c).length === 0) throw new HttpError(404, 'not_found', `No debtor ${debtorId}.`);
  return { c, own };
}

const KINDS: ContactPointKind[] = ['email', 'phone', 'address'];

export async function updateContactDetails(client: Client, debtorId: string, body: PatchDebtorBody, now: Date) {
  const { c, own } = await ownClaims(client, debtorId, now);
  if (own.length === 0) throw new HttpError(404, 'not_found', `No debtor ${debtorId} with claims of yours.`);
  const ownIds = own.map((d) => d.dossierId);
  const targets = body.dossierIds ?? ownIds;
  const foreign = Object.create(null) as Record<string, string>;
  targets.forEach((id, i) => {
    if (!ownIds.includes(id)) foreign[`dossierIds.${i}`] = 'is not one of your dossiers of this debtor';
  });
  if (Object.keys(foreign).length) throw new HttpError(400, 'validation_failed', 'Some fields are missing or invalid.', foreign);

  const at = now.toISOString();
  const replace: Partial<Record<ContactPointKind, NewContactPoint | null>> = {};
  if (body.email !== undefined) replace.email = body.email === null ? null : { kind: 'email', value: normaliseEmail(body.email) };
  if (body.address !== undefined) {
    replace.address =
      body.address === null
        ? null
        : { kind: 'address', value: addressKey(body.address), address: { line1: body.address.line1, postalCode: body.address.postalCode, city: body.address.city, country: body.address.country ?? 'NL' } };
  }
  const mine = new Set(targets);
  const heldPhone = (s: CaseState) => s.contactPoints.find((p) => p.kind === 'phone' && p.sources.some((src) => mine.has(src.dossierId)));
  if (body.phone !== undefined) {
    // The same number again keeps its opt-in unless whatsappOptIn says otherwise; a new number starts without one.
    const held = heldPhone(c);
    const optIn =
      body.whatsappOptIn ??
      (held?.value === body.phone && [...mine].every((id) => held.sources.some((src) => src.dossierId === id && src.whatsappOptIn)));
    // A number someone opted out of before (whoever used it) stays opted out on this case too (store/identity.ts).
    const optedOut = body.phone === null ? [] : (await earlierUse(body.phone, undefined)).phoneOptOuts;
    replace.phone =
      body.phone === null ? null : { kind: 'phone', value: body.phone, ...(optIn ? { whatsappOptIn: true } : {}), ...(optedOut.length ? { optedOut } : {}) };
  } else if (body.whatsappOptIn !== undefined && !heldPhone(c)) {
    throw new HttpError(422, 'no_phone', 'whatsappOptIn needs a phone number: you gave none for these claims; send "phone" with it.', {
      whatsappOptIn: 'needs a phone: send "phone" too',
    });
  }
  const name = own.filter((d) => mine.has(d.dossierId)).at(-1)!.name;
  const identity = {
    name,
    ...(body.email ? { email: body.email } : {}),
    ...(body.phone ? { phone: body.phone } : {}),
    ...(body.address ? { address: body.address } : {}),
  };
  const event: CaseEvent = {
    type: 'contact_updated',
    at,
    clientId: client.clientId,
    dossierIds: targets,
    replace,
    ...(body.whatsappOptIn !== undefined && body.phone === undefined ? { whatsappOptIn: body.whatsappOptIn } : {}),
  };
  const m = await mutateCase(
    debtorId,
    now,
    (cur) => {
      // Every claim the change is about must stay reachable some way (as at intake): else it is refused, unwritten.
      const next = applyEvent(cur, event);
      const unreachable = targets.filter((id) => !next.contactPoints.some((p) => p.sources.some((src) => src.dossierId === id)));
      if (unreachable.length) {
        throw new HttpError(422, 'no_contact_left', `This change would leave ${unreachable.join(', ')} with no way to reach the debtor: keep or give at least one of email, phone or address.`);
      }
      return [event];
    },
    c,
  );
  if (!m) throw new HttpError(404, 'not_found', `No debtor ${debtorId}.`);
  if (m.changed) {
    const extra: Item[] = [];
    const fresh = (kind: ContactPointKind, value: string) => !m.before.contactPoints.some((p) => p.kind === kind && p.value === value);
    if (replace.phone && fresh('phone', replace.phone.value)) extra.push(phoneIndexItem(replace.phone.value, debtorId));
    if (replace.email && fresh('email', replace.email.value)) extra.push(emailIndexItem(replace.email.value, debtorId));
    const { name: normalised, keys } = identityKeys(identity);
    if (keys.length) await addIdentityKeys(normalised, keys.map((k) => k.key), debtorId);
    // A number that leaves the case keeps its opt-outs at the number (a case of the first version had them only here).
    for (const p of m.before.contactPoints) {
      if (p.kind === 'phone' && p.optedOut?.length && !m.after.contactPoints.some((q) => q.kind === 'phone' && q.value === p.value)) await recordNumberOptOut(p.value, p.optedOut, at);
    }
    const what = KINDS.filter((k) => replace[k] !== undefined).map((k) => (replace[k] === null ? `${k} removed` : k));
    if (body.whatsappOptIn !== undefined && body.phone === undefined) what.push(`WhatsApp opt-in ${body.whatsappOptIn ? 'recorded' : 'withdrawn'}`);
    await appendEvents(
      debtorId,
      [
        {
          eventId: `contact-${m.after.eventSeq}`,
          at,
          type: 'contact_updated',
          detail: `Contact details updated by the creditor: ${what.join(', ')}.`,
          dossierIds: targets,
          data: { kinds: what },
        },
      ],
      extra,
    );
  }
  await startOrWake(m.after, { opened: false, ...(m.changed ? { wake: 'contact_updated' } : {}) }, now);
  return debtorView(client, debtorId, now, m.after);
}

export async function setFlags(client: Client, debtorId: string, body: FlagsBody, now: Date) {
  const { c, own } = await ownClaims(client, debtorId, now);
  const at = now.toISOString();
  // A creditor's flags come with its claims; the agency's are about the person (every creditor's journey).
  const dossierIds = client.agent ? undefined : own.map((d) => d.dossierId);
  const event: CaseEvent = { type: 'flags_set', at, clientId: client.clientId, ...(dossierIds ? { dossierIds } : {}), add: body.add ?? [], remove: body.remove ?? [] };
  const m = await mutateCase(debtorId, now, () => [event], c);
  if (!m) throw new HttpError(404, 'not_found', `No debtor ${debtorId}.`);
  if (m.changed) {
    const parts = [...(body.add?.length ? [`set ${body.add.join(', ')}`] : []), ...(body.remove?.length ? [`cleared ${body.remove.join(', ')}`] : [])];
    await appendEvents(debtorId, [
      {
        eventId: `flags-${m.after.eventSeq}`,
        at,
        type: 'flags',
        detail: `Flags ${parts.join('; ')} by ${client.agent ? 'the agency' : 'the creditor'}.`,
        dossierIds: dossierIds ?? claimsOf(m.after).map((d) => d.dossierId),
        data: { add: body.add ?? [], remove: body.remove ?? [], by: client.agent ? 'agency' : 'creditor' },
      },
    ]);
  }
  await startOrWake(m.after, { opened: false, ...(m.changed ? { wake: 'flags' } : {}) }, now);
  return debtorView(client, debtorId, now, m.after);
}
