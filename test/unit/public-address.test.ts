import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { postOnce } from '../../functions/notifications/outbox.js';
import { hostProblem, isPublicAddress, publicOnlyLookup } from '../../functions/shared/public-address.js';
import { webhookUrlProblem } from '../../functions/shared/schemas/creditor-webhook.js';

describe('a webhook may only reach public hosts (no server-side request forgery)', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '198.18.0.1', '192.0.2.10', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '::', '::1', '::ffff:127.0.0.1', 'fe80::1', 'fe90::1', 'febf::1', 'fec0::1', 'fd00:ec2::254',
    '64:ff9b::a9fe:a9fe', '2001:db8::1', 'ff02::1',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2a00:1450:4001:82a::200e', '2606:4700:4700::1111', '145.100.1.1'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('refuses special addresses and local names in the URL on AWS, also in their odd spellings', () => {
    for (const url of [
      'https://localhost./', 'https://instance-data/', 'https://metadata.google.internal/', 'https://printer.local/', 'https://100.64.0.1/',
      'https://[fe90::1]/', 'https://[fec0::1]/', 'https://[64:ff9b::a9fe:a9fe]/', 'https://198.18.0.1/', 'https://224.0.0.1/',
      'https://255.255.255.255/', 'https://169.254.169.254/', 'https://[::ffff:7f00:1]/', 'https://0x7f000001/', 'https://127.1/',
    ]) expect(webhookUrlProblem(url, false), url).toMatch(/public host/);
    expect(hostProblem('hooks.example.com')).toBeUndefined();
    expect(webhookUrlProblem('https://hooks.example.com/maatwerk', false)).toBeUndefined();
    expect(webhookUrlProblem('https://8.8.8.8/hook', false)).toBeUndefined();
  });

  it('the local runtime still delivers to its loopback receiver over http; on AWS only https', () => {
    expect(webhookUrlProblem('http://127.0.0.1:4000/creditor-webhooks/acme', true)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:4000/creditor-webhooks/acme', false)).toBe('must be https');
  });

  /** A resolver that answers `answers` for every name (what a rebinding DNS server would answer at connect time). */
  const resolverOf = (answers: LookupAddress[]) => (_host: string, _o: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => cb(null, answers);

  it('at delivery, the connection itself goes only to a public address: a name that now resolves to loopback reaches nothing', async () => {
    let received = 0;
    const receiver = http.createServer((_req, res) => {
      received++;
      res.end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    try {
      // The name passed every check before; at connect time it resolves to this machine (DNS rebinding).
      const url = new URL(`http://hooks.example.com:${port}/maatwerk`);
      expect(await postOnce(url, '{}', {}, publicOnlyLookup(resolverOf([{ address: '127.0.0.1', family: 4 }])))).toBe('not_public');
      expect(await postOnce(url, '{}', {}, publicOnlyLookup(resolverOf([{ address: '8.8.8.8', family: 4 }, { address: '127.0.0.1', family: 4 }])))).toBe('not_public');
      expect(received).toBe(0);
      // The same request with the ordinary look-up (the local runtime's loopback receiver) is delivered.
      expect(await postOnce(new URL(`http://127.0.0.1:${port}/maatwerk`), '{}', {}, undefined)).toBe('200');
      expect(received).toBe(1);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('the look-up passes public answers on, one or all as the connection asks', async () => {
    const lookup = publicOnlyLookup(resolverOf([{ address: '2606:4700:4700::1111', family: 6 }, { address: '1.1.1.1', family: 4 }]));
    const one = await new Promise((r) => lookup('hooks.example.com', { all: false }, (err, address, family) => r({ err, address, family })));
    expect(one).toEqual({ err: null, address: '2606:4700:4700::1111', family: 6 });
    const all = await new Promise((r) => lookup('hooks.example.com', { all: true }, (err, addresses) => r({ err, addresses })));
    expect(all).toEqual({ err: null, addresses: [{ address: '2606:4700:4700::1111', family: 6 }, { address: '1.1.1.1', family: 4 }] });
    const none = await new Promise<NodeJS.ErrnoException | null>((r) => publicOnlyLookup(resolverOf([]))('x.example.com', {}, (err) => r(err)));
    expect(none?.code).toBe('ENOTPUBLIC');
  });
});
