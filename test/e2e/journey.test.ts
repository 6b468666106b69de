/**
 * The walking skeleton end to end: the real journey ASL on the local Step Functions emulator, the real
 * handlers, the real AWS/Twilio/SendGrid SDKs against dynalite and the fake providers, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;
const sfn = () => new SFNClient({ endpoint: h.rt.sfnUrl, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

describe('a debtor journey on the local runtime', () => {
  let dossierId: string;
  let debtorId: string;

  it('creates a dossier and starts one journey for the debtor', async () => {
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'INV-J-1' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'open' });
    ({ dossierId, debtorId } = res.body);
    await h.advance({ seconds: 0 });
    const outbox = await h.outbox();
    expect(outbox.map((m) => m.channel)).toEqual(['email']);
    expect(outbox[0]).toMatchObject({ to: 'sam@example.invalid', debtorId, dossierIds: [dossierId], language: 'nl' });
    expect(outbox[0].text).toContain('INV-J-1');
  });

  it('sends an email, then an SMS, then a letter, then creates a call task, each later in virtual time', async () => {
    await h.advance('2026-04-21T12:00:00Z');
    const outbox = await h.outbox();
    const channels = outbox.map((m) => m.channel);
    const first = (c: string) => channels.indexOf(c);
    expect(first('email')).toBe(0);
    expect(first('sms')).toBeGreaterThan(first('email'));
    expect(first('letter')).toBeGreaterThan(first('sms'));
    expect(first('call')).toBeGreaterThan(first('letter'));
    const times = outbox.map((m) => Date.parse(m.sentAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    outbox.splice(0, outbox.length, outbox[first('email')], outbox[first('sms')], outbox[first('letter')], outbox[first('call')]);
    expect(outbox[1].to).toBe('+31612345678');
    expect(outbox[2].pdf).toMatch(/\/local\/outbox\/.+\.pdf$/);
    const pdf = await fetch(outbox[2].pdf!);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await pdf.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const tasks = await h.api('GET', '/v1/tasks?status=open', undefined, { key: 'key-agency' });
    expect(tasks.status).toBe(200);
    expect(tasks.body.tasks.map((t: { debtorId: string }) => t.debtorId)).toContain(debtorId);
  });

  it('records a signed Twilio reply on the timeline within a second and wakes the journey', async () => {
    const historyBefore = await sfn().send(new GetExecutionHistoryCommand({ executionArn: await executionArn(debtorId), maxResults: 1000 }));
    const started = Date.now();
    expect(await h.reply('+31612345678', 'Ik wil een regeling')).toBe(200);
    let replied: { type: string; detail: string } | undefined;
    while (!replied && Date.now() - started < 1000) {
      const view = await h.api('GET', `/v1/dossiers/${dossierId}`);
      replied = view.body.timeline.find((e: { type: string }) => e.type === 'replied');
    }
    expect(replied?.detail).toContain('Ik wil een regeling');
    await h.advance({ seconds: 0 });
    const historyAfter = await sfn().send(new GetExecutionHistoryCommand({ executionArn: await executionArn(debtorId), maxResults: 1000 }));
    const decidesBefore = historyBefore.events!.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Decide').length;
    const decidesAfter = historyAfter.events!.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Decide').length;
    expect(decidesAfter).toBe(decidesBefore + 1);
  });

  it('ends the journey on full payment: nothing is sent after it, however far the clock runs', async () => {
    const before = await h.api('GET', `/v1/dossiers/${dossierId}`);
    const due = before.body.amounts.outstanding as number;
    const paid = await h.api('POST', `/v1/dossiers/${dossierId}/payments`, { amount: due, reference: 'BANK-1' });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.amounts).toMatchObject({ paid: due, outstanding: 0 });
    await h.advance({ seconds: 0 });
    const sentBefore = (await h.outbox()).length;
    await h.advance('2026-09-01T12:00:00Z');
    expect((await h.outbox()).length).toBe(sentBefore);
    const exec = await sfn().send(new DescribeExecutionCommand({ executionArn: await executionArn(debtorId) }));
    expect(exec.status).toBe('SUCCEEDED');
    const view = await h.api('GET', `/v1/dossiers/${dossierId}`);
    expect(view.body.status).toBe('paid');
    expect(view.body.timeline.map((e: { type: string }) => e.type)).toContain('journey_ended');
  });

  it('joins a second claim of the same debtor to one conversation, and starts a new journey after the last one ended', async () => {
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'INV-J-2' }, { phone: '+31687654321', email: 'kim@example.invalid', name: 'Kim Test' }));
    const b = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'INV-J-3', principal: 4_000 }, { phone: '+31687654321', email: 'kim@example.invalid', name: 'Kim Test' }));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.debtorId).toBe(a.body.debtorId);
    await h.advance({ seconds: 0 });
    const forKim = (await h.outbox()).filter((m) => m.debtorId === a.body.debtorId);
    // One conversation: the first message covers both claims, never two parallel journeys.
    expect(forKim.length).toBeGreaterThanOrEqual(1);
    const executions = h.rt.sfn.stats();
    expect(executions.executionsStarted).toBe(2);
    const emails = forKim.filter((m) => m.channel === 'email');
    expect(emails.length).toBe(1);
  });
});

async function executionArn(debtorId: string): Promise<string> {
  const view = await h.api('GET', `/v1/debtors/${debtorId}`);
  expect(view.status).toBe(200);
  return `arn:aws:states:eu-west-1:000000000000:execution:maatwerk-journey:${debtorId}-j1`;
}

describe('a journey whose execution was stopped outside the system', () => {
  it('starts a new journey for the next claim instead of joining the dead one', async () => {
    const first = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'STOPPED-1' }, { phone: '+31698765432', email: 'stopped@example.invalid' }));
    await h.advance({ seconds: 0 });
    const arn = `arn:aws:states:eu-west-1:000000000000:execution:maatwerk-journey:${first.body.debtorId}-j1`;
    await sfn().send(new StopExecutionCommand({ executionArn: arn, error: 'Operator', cause: 'stopped by hand' }));
    const sentBefore = (await h.outbox()).filter((m) => m.debtorId === first.body.debtorId).length;
    const second = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'STOPPED-2' }, { phone: '+31698765432', email: 'stopped@example.invalid' }));
    expect(second.body.debtorId).toBe(first.body.debtorId);
    await h.advance({ seconds: 0 });
    const next = await sfn().send(new DescribeExecutionCommand({ executionArn: `${arn.slice(0, -3)}-j2` }));
    expect(next.status).toBe('RUNNING');
    await h.advance({ seconds: 30 * 86_400 });
    expect((await h.outbox()).filter((m) => m.debtorId === first.body.debtorId).length).toBeGreaterThan(sentBefore);
  });
});
