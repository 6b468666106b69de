/**
 * Decide crashing half-way through ending a journey: the case is closed (the dossiers handed over, in the same
 * write) but the end's bookkeeping — the timeline, the dossiers' projections, the timer — was not done yet.
 * The retried Decide finishes it, once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decideState } from '../../functions/services/decide.js';
import { loadCase, mutateCase } from '../../functions/services/case.js';
import { getDossier } from '../../functions/store/dossiers.js';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;
beforeAll(async () => {
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

it('finishes a journey whose Decide closed the case and then crashed', async () => {
  const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'HALF-1' }, { phone: '+31612340001', email: 'half@example.invalid' }));
  await h.advance({ seconds: 0 });
  const at = '2026-03-02T08:00:01.000Z';
  const now = new Date('2026-03-02T08:00:01Z');
  const c = (await loadCase(res.body.debtorId, now))!;
  // What the crashed attempt managed to do: only the conditional close.
  const closed = await mutateCase(c.caseId, now, () => [
    { type: 'journey_closed', at, reason: 'handed over', closing: { dossierStatus: 'handed_over', detail: 'Journey ended: handed over.', at } },
  ]);
  expect(closed?.changed).toBe(true);
  expect((await h.api('GET', `/v1/dossiers/${res.body.dossierId}`)).body.status).toBe('handed_over');
  expect((await getDossier(res.body.dossierId))!.status, 'the projection is not written yet').toBe('open');

  const out = await decideState({ caseId: c.caseId, journeyNo: c.journey.journeyNo }, new Date('2026-03-02T08:00:05Z'));
  expect(out.action).toMatchObject({ type: 'done' });
  const view = await h.api('GET', `/v1/dossiers/${res.body.dossierId}`);
  expect(view.body.status).toBe('handed_over');
  expect((await getDossier(res.body.dossierId))!.status).toBe('handed_over');
  expect(view.body.timeline.filter((e: { type: string }) => e.type === 'journey_ended')).toHaveLength(1);
  // A second retry changes nothing more.
  await decideState({ caseId: c.caseId, journeyNo: c.journey.journeyNo }, new Date('2026-03-02T08:00:09Z'));
  expect((await h.api('GET', `/v1/dossiers/${res.body.dossierId}`)).body.timeline.filter((e: { type: string }) => e.type === 'journey_ended')).toHaveLength(1);
});
