/**
 * pdfkit as the letter function bundles it (infra/build/pdfkit.ts: without its encryption and tables): the same PDF,
 * byte for byte, for every letter phase in both languages, in Helvetica and in the embedded letter font; encryption
 * and tables refused, not silently dropped.
 */
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoPath } from '../../infra/aws/paths.js';
import { pdfkitWithoutEncryption } from '../../infra/build/pdfkit.js';
import { sampleInput } from '../../infra/local/preview.js';
import type { RenderInput } from '../../functions/channels/render-contract.js';

// next to the original, so that its package-relative look-ups (fonts, the ICC profile) resolve the same
const TRIMMED = repoPath('node_modules', 'pdfkit', 'js', '.pdfkit.node.bundle-test.mjs');
// (plus a mark that says the renderer loaded this copy)
writeFileSync(TRIMMED, `${pdfkitWithoutEncryption(readFileSync(repoPath('node_modules', 'pdfkit', 'js', 'pdfkit.node.mjs'), 'utf8'))}\nglobalThis.maatwerkTrimmedPdfkit = true;\n`);
afterAll(() => rmSync(TRIMMED, { force: true }));

const INPUTS: RenderInput[] = [
  ...(['reminder', 'fourteen_day_letter', 'demand', 'final_notice', 'handover'] as const).flatMap((phase) =>
    (['nl', 'en'] as const).map((language) => sampleInput('letter', phase, 'neutral', language)),
  ),
  // and in the embedded letter font (functions/channels/letter-font.ts): a name and an address outside WinAnsi
  ...(['nl', 'en'] as const).map((language) => {
    const input = sampleInput('letter', 'fourteen_day_letter', 'neutral', language);
    return { ...input, debtor: { ...input.debtor, name: 'Łukasz Şahin', address: { line1: 'Ulica Łódzka 7', postalCode: '9999 AA', city: 'Voorbeeldstad' } } };
  }),
];

async function letters(): Promise<Buffer[]> {
  const { createRenderer } = await import('../../functions/channels/render.js');
  const renderer = createRenderer();
  return Promise.all(INPUTS.map(async (input) => (await renderer.renderMessage(input)).pdf!));
}

describe('pdfkit in the letter bundle', () => {
  it('makes exactly the PDFs pdfkit makes', async () => {
    const real = await letters();
    vi.resetModules();
    vi.doMock('pdfkit', () => import(pathToFileURL(TRIMMED).href));
    const trimmed = await letters();
    vi.doUnmock('pdfkit');
    expect((globalThis as { maatwerkTrimmedPdfkit?: boolean }).maatwerkTrimmedPdfkit).toBe(true);
    expect(trimmed.length).toBe(INPUTS.length);
    trimmed.forEach((pdf, i) => {
      expect(pdf.length, `${INPUTS[i]!.phase}/${INPUTS[i]!.language}`).toBeGreaterThan(1000);
      expect(Buffer.compare(pdf, real[i]!), `${INPUTS[i]!.phase}/${INPUTS[i]!.language}`).toBe(0);
      expect(pdf.includes('/FontFile2'), `${INPUTS[i]!.debtor.name}: the letter font embedded`).toBe(INPUTS[i]!.debtor.name.startsWith('Ł'));
    });
  });

  it('refuses an encrypted PDF and a table instead of making something else', async () => {
    const { default: PDFDocument } = (await import(pathToFileURL(TRIMMED).href)) as { default: new (o?: object) => { table(o?: object): unknown } };
    expect(() => new PDFDocument({ userPassword: 'secret' })).toThrow(/encrypted PDFs are not part of this bundle/);
    expect(() => new PDFDocument().table({})).toThrow(/tables are not part of this bundle/);
  });
});
