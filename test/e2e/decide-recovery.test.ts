/**
 * Decide crashing half-way through ending a journey: the case is closed but the dossiers were not yet
 * handed over. The retried Decide finishes the job.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decide } from '../../functions/services/decide.js';
import { closeCase, getCase } from '../../functions/store/cases.js';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;
beforeAll(async () => {
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

it('finishes a journey whose Decide closed the case and then crashed', async () => {
  const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'HALF-1' }, { phone: '+31612340001', email: 'half@example.invalid' }));
  await h.advance({ seconds: 0 });
  const c = (await getCase(res.body.debtorId))!;
  const at = '2026-03-02T08:00:01.000Z';
  // What the crashed attempt managed to do: only the conditional close.
  expect(await closeCase(c.caseId, c.journeyNo, c.eventSeq, 'handed over', at, { dossierStatus: 'handed_over', detail: 'Journey ended: handed over.', at })).toBe(true);
  expect((await h.api('GET', `/v1/dossiers/${res.body.dossierId}`)).body.status).toBe('open');

  const out = await decide({ caseId: c.caseId, journeyNo: c.journeyNo }, new Date('2026-03-02T08:00:05Z'));
  expect(out.action).toMatchObject({ type: 'done' });
  const view = await h.api('GET', `/v1/dossiers/${res.body.dossierId}`);
  expect(view.body.status).toBe('handed_over');
  expect(view.body.timeline.filter((e: { type: string }) => e.type === 'journey_ended')).toHaveLength(1);
  // A second retry changes nothing more.
  await decide({ caseId: c.caseId, journeyNo: c.journeyNo }, new Date('2026-03-02T08:00:09Z'));
  expect((await h.api('GET', `/v1/dossiers/${res.body.dossierId}`)).body.timeline.filter((e: { type: string }) => e.type === 'journey_ended')).toHaveLength(1);
});
