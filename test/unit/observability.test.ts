/**
 * What the functions write for operators: EMF metric lines (namespace, names and dimensions exactly as the dashboard
 * and alarms read them, test/infra/stack.test.ts), and log lines with the Lambda context and the case id as
 * correlation id, redacted of personal data.
 */
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE, SEND_OUTCOMES, type MetricName } from '../../functions/shared/metric-names.js';
import { dimensionValue, metrics, onMetric } from '../../functions/shared/metrics.js';
import { journeyCorrelation, lambdaHandler } from '../../functions/shared/lambda.js';
import { logger } from '../../functions/shared/logger.js';
import { handler as decideHandler } from '../../functions/decide/handler.js';
import { resetCoverageCheck, warnCoverageOnce } from '../../functions/services/coverage.js';

/** Everything written to stdout and stderr (Powertools logs WARN and ERROR there) while `fn` runs, as lines. */
async function stdout(fn: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [k: string]: unknown;
}

describe('business metrics (EMF)', () => {
  beforeEach(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  });
  afterEach(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  });

  it('write one EMF line per event, in namespace Maatwerk, with exactly the dimensions the dashboard reads', async () => {
    const lines = await stdout(() => {
      metrics.sent('sms', 'sent');
      metrics.sent('email', 'provider_error');
      metrics.replied('arrangement');
      metrics.paymentReceived(12_345);
      metrics.journeyStarted();
      metrics.journeyEnded('referred to debt help');
      metrics.webhookRejected('twilio');
      metrics.decideRetriedLater();
    });
    const emf = lines.map((l) => JSON.parse(l) as Emf);
    expect(emf).toHaveLength(9); // a payment is two metrics: Payments and RecoveredCents
    const seen = new Map<string, Emf>();
    for (const e of emf) {
      const [directive] = e._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const [metric] = directive.Metrics;
      const name = metric.Name as MetricName;
      expect(metric.Unit).toBe('Count');
      expect([...directive.Dimensions[0]].sort(), name).toEqual(['service', ...METRIC_DIMENSIONS[name]].sort());
      expect(e.service).toBe('maatwerk');
      seen.set(`${name}:${directive.Dimensions[0].filter((d) => d !== 'service').map((d) => e[d]).join(',')}`, e);
    }
    expect(seen.get('Sends:sms,sent')?.Sends).toBe(1);
    expect(seen.get('Sends:email,provider_error')?.Sends).toBe(1);
    expect(seen.get('Replies:arrangement')?.Replies).toBe(1);
    expect(seen.get('Payments:')?.Payments).toBe(1);
    expect(seen.get('RecoveredCents:')?.RecoveredCents).toBe(12_345);
    expect(seen.get('JourneysStarted:')?.JourneysStarted).toBe(1);
    expect(seen.get('JourneysEnded:referred_to_debt_help')?.JourneysEnded).toBe(1);
    expect(seen.get('WebhookSignatureFailures:twilio')?.WebhookSignatureFailures).toBe(1);
    expect(seen.get('DecideRetriedLater:')?.DecideRetriedLater).toBe(1);
  });

  it('keep dimension values bounded and readable (no ids, no free text beyond 64 characters)', () => {
    expect(dimensionValue('needs a human decision (vulnerable debtor)')).toBe('needs_a_human_decision_vulnerable_debtor');
    expect(dimensionValue('Überweisung: ÄÖÜ!')).toBe('uberweisung_aou');
    expect(dimensionValue('x'.repeat(200))).toHaveLength(64);
    expect(dimensionValue('  ')).toBe('unknown');
    expect(SEND_OUTCOMES).toContain('provider_error');
  });

  it('are silent locally (POWERTOOLS_METRICS_DISABLED) but still observable', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const events: string[] = [];
    const stop = onMetric((e) => events.push(`${e.name}=${e.value}`));
    const lines = await stdout(() => metrics.paymentReceived(500));
    stop();
    expect(lines).toEqual([]);
    expect(events).toEqual(['Payments=1', 'RecoveredCents=500']);
  });

  it('Decide counts a return from RetryDecideLater, whatever happens next', async () => {
    const events: string[] = [];
    const stop = onMetric((e) => events.push(e.name));
    const event = { state: { caseId: 'deb_x', journeyNo: 1, decideError: { Error: 'Error', Cause: '{}' } }, executionId: 'arn:x' };
    // no table here: the decision itself fails, the count is taken before it
    await expect(decideHandler(event)).rejects.toThrow();
    await expect(decideHandler({ state: { caseId: 'deb_x', journeyNo: 1 }, executionId: 'arn:x' })).rejects.toThrow();
    stop();
    // (the first Decide of a container also reports the legal tables that run out, whenever this test runs)
    expect(events.filter((name) => name !== 'LegalTableWarnings')).toEqual(['DecideRetriedLater']);
  });

  it('counts each legal table that runs out once per container (the first Decide), never per decision', () => {
    const events: string[] = [];
    const stop = onMetric((e) => events.push(`${e.name} ${e.dimensions.table}`));
    resetCoverageCheck();
    const log = { warn: () => undefined };
    // 2029: past the declared days (through 2028) and the interest rates (through 2026)
    expect(warnCoverageOnce(new Date('2029-03-01T10:00:00Z'), log).map((w) => w.table)).toEqual(['declared_equal_days', 'interest_rates']);
    expect(warnCoverageOnce(new Date('2029-03-01T10:05:00Z'), log)).toEqual([]);
    stop();
    expect(events).toEqual(['LegalTableWarnings declared_equal_days', 'LegalTableWarnings interest_rates']);
    resetCoverageCheck();
  });
});

describe('logs', () => {
  const context = {
    functionName: 'Maatwerk-SendSms',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:Maatwerk-SendSms',
    memoryLimitInMB: '512',
    awsRequestId: 'req-0001',
    logGroupName: '/aws/lambda/x',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
  } as unknown as Context;

  it('carry the Lambda context and the case id on every line of an invocation, and not after it', async () => {
    const step = lambdaHandler(async (_event: unknown) => {
      logger.warn('first');
      logger.warn('second', { stepNo: 3 });
    }, journeyCorrelation);
    const lines = (await stdout(() => step({ state: { caseId: 'deb_01abc', journeyNo: 2, action: { stepNo: 3 } } }, context))).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l).toMatchObject({ correlation_id: 'deb_01abc', caseId: 'deb_01abc', journeyNo: 2, function_name: 'Maatwerk-SendSms', function_request_id: 'req-0001' });
    }
    const after = (await stdout(() => logger.warn('outside'))).map((l) => JSON.parse(l));
    expect(after[0].correlation_id).toBeUndefined();
    expect(after[0].caseId).toBeUndefined();
  });

  it('mask email addresses, phone numbers and IBANs that slip into a line', async () => {
    const [line] = await stdout(() =>
      logger.warn('provider said: mailbox sam@example.invalid full, +31 6 1234 5678 unknown', { detail: 'IBAN NL91ABNA0417164300 refused' }),
    );
    expect(line).not.toMatch(/sam@example|1234 5678|NL91ABNA/);
    expect(JSON.parse(line)).toMatchObject({ message: 'provider said: mailbox [email] full, [phone] unknown', detail: 'IBAN [iban] refused' });
  });
});
