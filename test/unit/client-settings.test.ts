/**
 * Client settings on the local runtime (MAATWERK_CLIENT_SETTINGS, infra/local/client-settings.ts): statutory
 * interest on or off per creditor (art. 6:119 / 6:119a BW: a creditor may claim it or not), VAT, and the business
 * cost agreement (art. 6:96 lid 7 BW), validated with parseBusinessCostAgreement; bad values refused at start.
 */
import { describe, expect, it } from 'vitest';
import { parseClientSettings, withClientSettings } from '../../infra/local/client-settings.js';

const IDS = ['acme', 'globex'];

describe('MAATWERK_CLIENT_SETTINGS', () => {
  it('sets interest, VAT and a business-cost agreement on the seeded clients', () => {
    const seeds = withClientSettings(
      [
        { clientId: 'acme', name: 'acme', apiKey: 'k1' },
        { clientId: 'globex', name: 'globex', apiKey: 'k2' },
      ],
      JSON.stringify({ acme: { claimsInterest: true, vatOnCosts: true, name: 'Acme Energie B.V.' }, globex: { businessCosts: { type: 'percentage', percent: 12.5, maximumCents: 50_000 } } }),
    );
    expect(seeds).toEqual([
      { clientId: 'acme', name: 'Acme Energie B.V.', apiKey: 'k1', claimsInterest: true, vatOnCosts: true },
      { clientId: 'globex', name: 'globex', apiKey: 'k2', businessCosts: { type: 'percentage', percent: 12.5, maximumCents: 50_000 } },
    ]);
  });

  it('nothing set: the seeds as they are', () => {
    expect(parseClientSettings(undefined, IDS)).toEqual({});
    expect(parseClientSettings('  ', IDS)).toEqual({});
  });

  it.each([
    ['not JSON', '{acme', /MAATWERK_CLIENT_SETTINGS is not valid JSON/],
    ['not an object', '[1]', /must be a JSON object of client ids/],
    ['an unknown client', '{"initech":{"claimsInterest":true}}', /MAATWERK_CLIENT_SETTINGS\.initech: no such client \(the clients are acme, globex/],
    ['an unknown setting', '{"acme":{"interest":true}}', /MAATWERK_CLIENT_SETTINGS\.acme\.interest: is not a known setting/],
    ['a wrong type', '{"acme":{"claimsInterest":"yes"}}', /MAATWERK_CLIENT_SETTINGS\.acme\.claimsInterest: must be true or false/],
    ['an agreement of an unknown type', '{"acme":{"businessCosts":{"type":"flat"}}}', /MAATWERK_CLIENT_SETTINGS\.acme\.businessCosts/],
    ['a percentage above 100', '{"acme":{"businessCosts":{"type":"percentage","percent":150}}}', /MAATWERK_CLIENT_SETTINGS\.acme\.businessCosts\.percent: must be at most 100/],
    ['a fixed amount in euros', '{"acme":{"businessCosts":{"type":"fixed","amountCents":12.5}}}', /MAATWERK_CLIENT_SETTINGS\.acme\.businessCosts\.amountCents: must be whole cents/],
  ])('refuses %s, naming the field and the reason', (_what, value, message) => {
    expect(() => parseClientSettings(value, IDS)).toThrow(message);
  });
});
