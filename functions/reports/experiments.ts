/**
 * GET /v1/experiments/{id}/results: an experiment of the current strategy file, with its results (domain/experiments/
 * results.ts). Who may read it: agency keys always; a creditor only an experiment limited to its own claims
 * (eligibility.clients is exactly that creditor) — results over several creditors' debtors are the agency's.
 */
import type { Client } from '../store/clients.js';
import { HttpError } from '../shared/http.js';
import { currentStrategy } from '../services/strategy-source.js';
import { type ExperimentResults, experimentResults } from '../domain/experiments/results.js';
import type { Experiment } from '../domain/experiments/schema.js';
import { readExperimentDays } from '../store/learning.js';

export async function experimentResultsFor(client: Client, experimentId: string, now: Date) {
  const x = (currentStrategy().experiments ?? []).find((e) => e.id === experimentId);
  const mine = x?.eligibility.clients?.length === 1 && x.eligibility.clients[0] === client.clientId;
  // another creditor's (or a shared) experiment is a 404 like an unknown one: its existence is not yours to learn
  if (!x || (!client.agent && !mine)) throw new HttpError(404, 'not_found', `No experiment ${experimentId}.`);
  return resultsOf(x, now);
}

/** An experiment's results over its counters now (the API, the simulator's and the local report's tables). */
export async function resultsOf(x: Experiment, now: Date): Promise<ExperimentResults> {
  return experimentResults(x, await readExperimentDays(x.id), now);
}
