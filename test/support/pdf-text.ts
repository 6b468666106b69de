/**
 * A PDF's text as pdf.js reads it (what a screen reader, a search or a copy-paste gets: through the ToUnicode map of
 * an embedded font); channel-steps.ts re-exports it for the channel tests.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const require = createRequire(import.meta.url);
const STANDARD_FONTS = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

/** Text of every page, items joined as pdf.js ends their lines. */
export async function pdfText(pdf: Uint8Array | Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: STANDARD_FONTS, isEvalSupported: false, verbosity: 0 }).promise;
  let out = '';
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    for (const item of content.items) if ('str' in item) out += item.str + (item.hasEOL ? '\n' : '');
    out += '\n';
  }
  await doc.destroy();
  return out;
}

/** The heights (PDF units, two decimals) of the lines of text on each page. */
export async function pdfLineHeights(pdf: Uint8Array): Promise<number[][]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: STANDARD_FONTS, isEvalSupported: false, verbosity: 0 }).promise;
  const pages: number[][] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const items = (await (await doc.getPage(p)).getTextContent()).items as Array<{ str?: string; transform?: number[] }>;
    pages.push([...new Set(items.filter((i) => i.str?.trim()).map((i) => Math.round(i.transform![5] * 100) / 100))].sort((a, b) => a - b));
  }
  await doc.destroy();
  return pages;
}

/** Whitespace-insensitive: line wraps and the no-break space in "€ 1.234,56" become one space. */
export const norm = (s: string) => s.replace(/\s+/g, ' ');
