/**
 * Messages state what is owed with the statutory interest the creditor claims (art. 6:119 BW): the claims table of
 * e-mails (HTML and text) and letters (PDF) gets an interest column when a claim carries interest, and none
 * otherwise — so the amounts a debtor reads add up to what the API shows as outstanding.
 */
import { describe, expect, it } from 'vitest';
import type { RenderInput } from '../../functions/channels/render-contract.js';
import { renderMessage } from '../../functions/channels/render.js';
import { sampleInput } from '../../infra/local/preview.js';
import { norm, pdfText } from '../support/channel-steps.js';

function withInterest(input: RenderInput): RenderInput {
  const claims = input.claims.map((c, i) => (i === 0 ? { ...c, interest: 8_103, outstanding: c.outstanding + 8_103 } : c));
  return { ...input, claims, totalOutstanding: claims.reduce((s, c) => s + c.outstanding, 0) };
}

describe('the interest column', () => {
  it('an e-mail shows the interest in its HTML table and its text part, and the total includes it', async () => {
    const plain = await renderMessage(sampleInput('email', 'demand', 'neutral', 'nl'));
    const msg = await renderMessage(withInterest(sampleInput('email', 'demand', 'neutral', 'nl')));
    expect(plain.html).not.toContain('>Rente<');
    expect(norm(plain.text)).not.toMatch(/rente €/);
    expect(msg.html).toContain('>Rente<');
    expect(norm(msg.text)).toContain('kosten € 112,13, rente € 81,03, betaald € 100,00');
    expect(norm(msg.text)).toContain('rente € 0,00'); // the other claim: a column, so 0
    expect(norm(msg.text)).toContain('Totaal nog te betalen: € 1.492,77');
  });

  it('a letter shows it in the PDF table (English: "Interest")', async () => {
    const msg = await renderMessage(withInterest(sampleInput('letter', 'demand', 'neutral', 'en')));
    const text = norm(await pdfText(msg.pdf!));
    expect(text).toContain('Interest');
    expect(text).toContain('€81.03');
  });
});
