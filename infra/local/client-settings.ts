/**
 * Client settings for the local runtime (`MAATWERK_CLIENT_SETTINGS`): what a creditor agreed with the agency that
 * decides the money of its claims. On AWS these live on the client record (functions/store/clients.ts) and an
 * operator sets them; locally this variable sets them on the seeded clients:
 *
 *   MAATWERK_CLIENT_SETTINGS='{"acme":{"claimsInterest":true,"businessCosts":{"type":"fixed","amountCents":5000}}}'
 *
 * Per client id: `claimsInterest` (statutory interest on its claims: wettelijke rente for consumers, handelsrente
 * for business debtors), `vatOnCosts` (it cannot deduct VAT), `businessCosts` (its agreement for business debtors:
 * {"type":"wik"} the default, {"type":"fixed","amountCents":…}, {"type":"percentage","percent":…,"minimumCents"?,
 * "maximumCents"?} or {"type":"none"}), `name`. A bad value is refused at start with the field and the reason.
 */
import { parseBusinessCostAgreement } from '../../functions/domain/claim-costs.js';
import * as z from '../../functions/shared/zod.js';
import type { ClientSeed } from './runtime.js';

const VAR = 'MAATWERK_CLIENT_SETTINGS';

const Settings = z.strictObject({
  name: z.optional(z.string({ error: 'must be text: the creditor’s name as messages show it' }).check(z.trim(), z.minLength(1, 'must not be empty'))),
  vatOnCosts: z.optional(z.boolean({ error: 'must be true or false: the creditor cannot deduct VAT' })),
  claimsInterest: z.optional(z.boolean({ error: 'must be true or false: the creditor claims statutory interest' })),
  businessCosts: z.optional(z.unknown()),
});
export type ClientSettings = Omit<z.infer<typeof Settings>, 'businessCosts'> & Pick<ClientSeed, 'businessCosts'>;

/** Parses the variable's JSON into settings per client id; throws an Error naming the field and the reason. */
export function parseClientSettings(value: string | undefined, clientIds: readonly string[]): Record<string, ClientSettings> {
  if (value === undefined || value.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    throw new Error(`${VAR} is not valid JSON (${(err as Error).message}); expected e.g. {"acme":{"claimsInterest":true}}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${VAR} must be a JSON object of client ids, e.g. {"acme":{"claimsInterest":true}}`);
  const out: Record<string, ClientSettings> = {};
  for (const [clientId, raw] of Object.entries(json)) {
    if (!clientIds.includes(clientId)) throw new Error(`${VAR}.${clientId}: no such client (the clients are ${clientIds.join(', ')}; see MAATWERK_API_KEYS)`);
    const r = Settings.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue.code === 'unrecognized_keys' ? `${issue.keys[0]}` : issue.path.join('.');
      const why = issue.code === 'unrecognized_keys' ? 'is not a known setting (name, vatOnCosts, claimsInterest, businessCosts)' : issue.message;
      throw new Error(`${VAR}.${clientId}${field ? `.${field}` : ''}: ${why}`);
    }
    const { businessCosts, ...rest } = r.data;
    let agreement: ClientSeed['businessCosts'];
    if (businessCosts !== undefined) {
      try {
        agreement = parseBusinessCostAgreement(businessCosts);
      } catch (err) {
        throw new Error(`${VAR}.${clientId}.${(err as Error).message}`);
      }
    }
    out[clientId] = { ...rest, ...(agreement ? { businessCosts: agreement } : {}) };
  }
  return out;
}

/** The seeds with the settings applied. */
export function withClientSettings(clients: readonly ClientSeed[], value: string | undefined): ClientSeed[] {
  const settings = parseClientSettings(value, clients.map((c) => c.clientId));
  return clients.map((c) => ({ ...c, ...(settings[c.clientId] ?? {}) }));
}
