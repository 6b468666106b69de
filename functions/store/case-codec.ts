/**
 * How the case item stores its contacts: one short string each instead of an object with long keys and dossier
 * ids, so a year-long journey's case stays a few KB — a decision's read stays within a unit or two however long
 * the journey runs, and every write of the item (billed by its size) stays cheap.
 *
 *   "<epoch ms, base 36>|<channel><phase><tone>|<step>|<journey>|<dossier ordinals>|<a: arrived, r: returned, x: aside>"
 *     then, when any is set: "|<segment index>|<experiment:variant,…>|<outcome flags>"
 *   e.g. "mjx3k9c0|e0f|3|1|0.1|a"  (email, reminder, friendly, step 3 of journey 1, the case's first two claims)
 *        "mjx3k9c0|s0f|1|1|0||4|tone-test:b|ry"  (segment unknown, in variant b of tone-test, reacted and replied)
 *   then, for a contact about several creditors' claims with outcomes, each creditor's own: "|<client id>=<flags>,…"
 *   e.g. "mjx3k9c0|s0f|1|1|0.1||4||r$|acme=r$,globex=r"  (both reacted, only acme's claim paid)
 *
 * A dossier's ordinal is its place among the case's claims in the order they were filed (claims are never removed,
 * later ones are filed later, so ordinals never change); an id the case does not hold is kept as it is.
 *
 * Experiment assignments are top-level attributes `exp#<experiment id>`, so the channel step's claim can add one
 * with a targeted update (a nested path under a map the item may not have yet is not writable in one update).
 */
import type { ContactFact } from '../domain/case/facts.js';
import { type CaseState, claimsOf } from '../domain/case/state.js';
import { CHANNELS, PHASES, SEGMENTS, TONES, type Channel, type Phase, type Tone } from '../domain/vocabulary.js';

const CHANNEL_CODE: Record<Channel, string> = { email: 'e', sms: 's', whatsapp: 'w', letter: 'l', call: 'c' };
const TONE_CODE: Record<Tone, string> = { friendly: 'f', neutral: 'n', firm: 'r' };
const channelOf = Object.fromEntries(CHANNELS.map((c) => [CHANNEL_CODE[c], c])) as Record<string, Channel>;
const toneOf = Object.fromEntries(TONES.map((t) => [TONE_CODE[t], t])) as Record<string, Tone>;

export type Ordinals = { toOrdinal: Map<string, number>; toId: string[] };

export const NO_ORDINALS: Ordinals = { toId: [], toOrdinal: new Map() };

export function ordinalsOf(s: Pick<CaseState, 'dossiers'>): Ordinals {
  const toId = claimsOf(s).map((d) => d.dossierId);
  return { toId, toOrdinal: new Map(toId.map((id, i) => [id, i])) };
}

export function encodeContact(c: ContactFact, o: Ordinals): string {
  const ids = c.dossierIds === undefined ? '*' : c.dossierIds.map((id) => (o.toOrdinal.has(id) ? String(o.toOrdinal.get(id)) : id)).join('.');
  const code = `${CHANNEL_CODE[c.channel]}${c.phase ? PHASES.indexOf(c.phase) : '-'}${c.tone ? TONE_CODE[c.tone] : '-'}`;
  const base = [Date.parse(c.at).toString(36), code, c.stepNo ?? '', c.journeyNo ?? '', ids, `${c.arrived ? 'a' : ''}${c.returned ? 'r' : ''}${c.aside ? 'x' : ''}`];
  if (c.seg === undefined && !c.x?.length && !c.o && !c.oc) return base.join('|');
  const rest = [...base, c.seg === undefined ? '' : SEGMENTS.indexOf(c.seg), (c.x ?? []).join(','), c.o ?? ''];
  if (!c.oc) return rest.join('|');
  return [...rest, Object.entries(c.oc).map(([cl, f]) => `${encodeURIComponent(cl)}=${f}`).join(',')].join('|');
}

export function decodeContact(s: string | ContactFact, o: Ordinals): ContactFact {
  if (typeof s !== 'string') return s; // written before the compact form
  const [t, code, step, journey, ids, flags, seg, x, outcomes, perCreditor] = s.split('|');
  const phase = code[1] === '-' ? undefined : (PHASES[Number(code[1])] as Phase);
  const tone = code[2] === '-' ? undefined : toneOf[code[2]];
  return {
    at: new Date(parseInt(t, 36)).toISOString(),
    channel: channelOf[code[0]],
    ...(phase ? { phase } : {}),
    ...(tone ? { tone } : {}),
    ...(step ? { stepNo: Number(step) } : {}),
    ...(journey ? { journeyNo: Number(journey) } : {}),
    ...(ids === '*' ? {} : { dossierIds: ids === '' ? [] : ids.split('.').map((x) => (/^\d+$/.test(x) ? (o.toId[Number(x)] ?? x) : x)) }),
    ...(flags.includes('a') ? { arrived: true } : {}),
    ...(flags.includes('r') ? { returned: true } : {}),
    ...(flags.includes('x') ? { aside: true } : {}),
    ...(seg ? { seg: SEGMENTS[Number(seg)] } : {}),
    ...(x ? { x: x.split(',') } : {}),
    ...(outcomes ? { o: outcomes } : {}),
    ...(perCreditor !== undefined ? { oc: Object.fromEntries(perCreditor.split(',').filter(Boolean).map((p) => p.split('=')).map(([cl, f]) => [decodeURIComponent(cl!), f ?? ''])) } : {}),
  };
}

export const EXPERIMENT_ATTR = 'exp#';

/** The case as stored. */
export function encodeCase(s: CaseState): Record<string, unknown> {
  const o = ordinalsOf(s);
  const { experiments, ...rest } = s;
  return {
    ...rest,
    ...Object.fromEntries(Object.entries(experiments ?? {}).map(([id, a]) => [`${EXPERIMENT_ATTR}${id}`, a])),
    contacts: s.contacts.map((c) => encodeContact(c, o)),
    journey: { ...s.journey, contacts: s.journey.contacts.map((c) => encodeContact(c, o)) },
  };
}

/** The case as the domain works on it. */
export function decodeCase(item: Record<string, unknown>): CaseState {
  const s = item as unknown as CaseState & { contacts: Array<string | ContactFact>; journey: { contacts: Array<string | ContactFact> } };
  const o = ordinalsOf(s);
  const experiments: CaseState['experiments'] = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith(EXPERIMENT_ATTR)) experiments[k.slice(EXPERIMENT_ATTR.length)] = v as CaseState['experiments'][string];
    else if (k !== 'experiments') rest[k] = v;
  }
  return {
    ...(rest as unknown as CaseState),
    experiments,
    contacts: s.contacts.map((c) => decodeContact(c, o)),
    journey: { ...s.journey, contacts: s.journey.contacts.map((c) => decodeContact(c, o)) },
  };
}
