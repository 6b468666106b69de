/**
 * Formatting and the small block markup shared by the email and letter templates.
 *
 * Markup (after Handlebars has run): blocks are separated by blank lines.
 *   `[[claims]]`  on its own line → the amounts table        `[[pay]]` → payment details (button / link / IBAN)
 *   `# text`      → heading                                  lines all starting with `- ` → bullet list
 *   anything else → paragraph; single newlines are kept as line breaks; `**text**` is bold.
 * Nothing here touches HTML: escaping happens where HTML is produced (render-email.ts).
 */
import type { Language } from './render-contract.js';

const MONEY: Record<Language, Intl.NumberFormat> = {
  nl: new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }),
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }),
};

const DATE: Record<Language, Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'long', year: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'long', year: 'numeric' }),
};

/**
 * Integer cents → "€ 1.234,56" (nl) / "€1,234.56" (en). The space after the euro sign in Dutch is Intl's no-break
 * space (U+00A0), so "€" never ends a line in a letter or email; SMS text turns it into a plain space (U+00A0 is not
 * in the GSM-7 alphabet and would make the message UCS-2).
 */
export function formatMoney(cents: number, language: Language): string {
  if (!Number.isInteger(cents)) throw new TypeError(`money must be integer cents, got ${String(cents)}`);
  return MONEY[language].format(cents / 100).replace(/\u202f/g, '\u00a0');
}

const CALENDAR_DATE: Record<Language, Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }),
};

/**
 * A calendar date in Europe/Amsterdam: "29 maart 2026" / "29 March 2026". An instant is converted to its Amsterdam
 * day; a plain 'YYYY-MM-DD' already is a calendar day and is shown as it is.
 */
export function formatDate(value: Date | string, language: Language): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) throw new TypeError(`not a date: ${value}`);
    return CALENDAR_DATE[language].format(day);
  }
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a date: ${String(value)}`);
  return DATE[language].format(d);
}

/** "A", "A en B", "A, B en C" (nl) / "A and B", "A, B and C" (en). */
export function joinList(items: readonly string[], language: Language): string {
  const and = language === 'nl' ? 'en' : 'and';
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

/** Data from outside goes into one line: control characters and line breaks become spaces, runs of spaces collapse. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

export interface Run {
  text: string;
  bold: boolean;
}
export type Line = Run[];
export type Block =
  | { kind: 'paragraph'; lines: Line[] }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: Line[] }
  | { kind: 'claims' }
  | { kind: 'pay' };

/** `a **b** c` → runs; an unmatched `**` is kept as text. */
export function parseInline(line: string): Line {
  const parts = line.split('**');
  if (parts.length % 2 === 0) return [{ text: line, bold: false }];
  return parts.map((text, i) => ({ text, bold: i % 2 === 1 })).filter((r) => r.text.length > 0);
}

export function parseBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const lines = raw
      .split('\n')
      .map((l) => l.replace(/[ \t]+$/g, '').replace(/^[ \t]+/g, ''))
      .filter((l) => l.length > 0);
    if (lines.length === 0) continue;
    const first = lines[0];
    if (lines.length === 1 && first === '[[claims]]') blocks.push({ kind: 'claims' });
    else if (lines.length === 1 && first === '[[pay]]') blocks.push({ kind: 'pay' });
    else if (lines.length === 1 && first.startsWith('# ')) blocks.push({ kind: 'heading', text: first.slice(2).trim() });
    else if (lines.every((l) => l.startsWith('- '))) blocks.push({ kind: 'list', items: lines.map((l) => parseInline(l.slice(2))) });
    else blocks.push({ kind: 'paragraph', lines: lines.map(parseInline) });
  }
  return blocks;
}

export function lineText(line: Line): string {
  return line.map((r) => r.text).join('');
}

/**
 * Front matter: `key: value` lines, then a line `---`, then the body. Without a `---` line the whole text is body.
 */
export function splitFrontMatter(rendered: string): { headers: Record<string, string>; body: string } {
  const text = rendered.replace(/\r\n?/g, '\n').replace(/^\n+/, '');
  const lines = text.split('\n');
  const sep = lines.indexOf('---');
  if (sep < 0) return { headers: {}, body: text };
  const headers: Record<string, string> = {};
  for (const line of lines.slice(0, sep)) {
    if (line.trim() === '') continue;
    const m = /^([A-Za-z][\w-]*):\s?(.*)$/.exec(line);
    if (!m) return { headers: {}, body: text };
    headers[m[1]] = oneLine(m[2]);
  }
  return { headers, body: lines.slice(sep + 1).join('\n') };
}

/** Plain-text messages (WhatsApp, call script): trim trailing spaces, at most one blank line in a row. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
