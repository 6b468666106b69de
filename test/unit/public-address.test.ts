import { describe, expect, it } from 'vitest';
import { hostProblem, isPublicAddress, resolvesPublic } from '../../functions/shared/public-address.js';
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

  it('at delivery, a name is checked for what it resolves to now', async () => {
    expect(await resolvesPublic('localhost')).toBe(false);
    expect(await resolvesPublic('127.0.0.1')).toBe(false);
    expect(await resolvesPublic('[::1]')).toBe(false);
    expect(await resolvesPublic('8.8.8.8')).toBe(true);
    expect(await resolvesPublic('no-such-host.invalid')).toBe(false);
  });
});
