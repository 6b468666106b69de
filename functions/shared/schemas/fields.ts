/**
 * What every edge schema is built from (zod/mini, see ../zod.ts): the limits, text, cents, dates and path ids, the
 * enums the API names, documentation metadata, and the zod issue → API `fields` mapping with its messages.
 *
 * Edge rules (issue 13): objects are strict (an unknown or misplaced field is refused and named, never dropped);
 * every message says what is expected, with an example where the shape is not obvious; limits keep the arithmetic
 * exact (at most €100,000,000.00 per amount, far below 2^53 cents even summed); text holds no control characters.
 */
import type { core } from 'zod/mini';
import { CALL_OUTCOMES, CHANNELS, LANGUAGES } from '../../domain/vocabulary.js';
import * as z from '../zod.js';

// ---- documentation ----------------------------------------------------------------------------------------

/** What the OpenAPI document shows for a schema: `id` makes it a named component; the rest goes into it as is. */
export interface DocMeta {
  id?: string;
  description?: string;
  example?: unknown;
  examples?: unknown[];
  format?: string;
}

/**
 * Attaches documentation to a schema (zod's global registry, which z.toJSONSchema reads: see ../openapi.ts) and
 * returns the same schema. Validation is unaffected.
 */
export function doc<S extends core.$ZodType>(schema: S, meta: DocMeta): S {
  z.globalRegistry.add(schema, meta as never);
  return schema;
}

// ---- limits ------------------------------------------------------------------------------------------------

/** At most €100,000,000.00 per claim or payment: sums of thousands of these stay exact integers. */
export const MAX_CENTS = 10_000_000_000;
/**
 * What may be paid on one dossier in all: €1,000,000,000.00 — ten times the largest claim (a surplus is booked and
 * shown as refundDue), and so far below 2^53 cents that every sum over a debtor's claims stays an exact integer.
 */
export const MAX_PAID_TOTAL_CENTS = 10 * MAX_CENTS;
/** A due date at most this far back or ahead of today. */
export const DUE_DATE_WINDOW = { yearsBack: 20, yearsAhead: 1 } as const;
/** A payment's paidAt may be this far ahead of our clock (the creditor's clock may run a little fast). */
export const PAID_AT_CLOCK_SKEW_MS = 5 * 60_000;

/** C0 and C1 control characters (NUL, ESC, DEL, …). Free text may keep tab and line breaks. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Half of a UTF-16 surrogate pair on its own ("\ud800"): JSON allows it, UTF-8 storage does not. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// ---- building blocks ---------------------------------------------------------------------------------------

/** `what` is the expectation, e.g. 'the debtor’s full name, e.g. "Sam Voorbeeld"'. */
export function required(what: string) {
  return (iss: { input?: unknown }) => (iss.input === undefined ? `is required: ${what}` : `must be ${what}`);
}

export function text(what: string, o: { max: number; min?: number; multiline?: boolean }) {
  const min = o.min ?? 1;
  return z.string({ error: required(what) }).check(
    z.trim(),
    z.minLength(min, min === 1 ? `must not be empty: ${what}` : `must be at least ${min} characters: ${what}`),
    z.maxLength(o.max, `must be at most ${o.max} characters`),
    z.refine((v) => !(o.multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(v), {
      message: o.multiline ? 'must not contain control characters (line breaks and tabs are fine)' : 'must not contain control characters or line breaks',
    }),
    z.refine((v) => !LONE_SURROGATE.test(v), { message: 'must be valid Unicode text (it holds half of a surrogate pair)' }),
  );
}

export function cents(what: string) {
  return z
    .number({ error: required(`${what} in whole euro cents as a JSON number, e.g. 12500 for €125.00`) })
    .check(
      z.int('must be whole cents, e.g. 12500 for €125.00 (not 125.00)'),
      z.positive('must be more than 0 cents'),
      z.maximum(MAX_CENTS, `must be at most ${MAX_CENTS} cents (€100,000,000.00)`),
    );
}

export const isoDate = (what: string) =>
  z.iso.date({ error: (iss) => (iss.input === undefined ? `is required: ${what} as YYYY-MM-DD, e.g. "2026-01-15"` : 'must be a date YYYY-MM-DD, e.g. "2026-01-15"') });
export const isoDateTime = (what: string) =>
  z.iso.datetime({
    offset: true,
    error: (iss) =>
      iss.input === undefined
        ? `is required: ${what} as an ISO-8601 date-time with a zone, e.g. "2026-03-02T09:30:00Z"`
        : 'must be an ISO-8601 date-time with a zone, e.g. "2026-03-02T09:30:00Z" or "2026-03-02T10:30:00+01:00"',
  });

/** The same calendar date `years` away (UTC), as YYYY-MM-DD; 29 February falls back to the 28th. */
export function isoDateYearsFrom(now: Date, years: number): string {
  const d = new Date(now.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

/** An id in a path: what our ids look like (`dos_01j…`, `task_deb_…_1_3`), so a 2 KB or odd id is a 400. */
export const Id = (what: string, example: string) =>
  doc(
    z.string({ error: required(`${what}, e.g. "${example}"`) }).check(
      z.minLength(1, `must not be empty: ${what}, e.g. "${example}"`),
      z.maxLength(100, `must be at most 100 characters: ${what}, e.g. "${example}"`),
      z.regex(/^[A-Za-z0-9_-]+$/, `may only hold letters, digits, _ and -: ${what}, e.g. "${example}"`),
    ),
    { description: what, example },
  );

// ---- enums -------------------------------------------------------------------------------------------------

export const Language = doc(z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.map((l) => `"${l}"`).join(', ')}` }), {
  id: 'Language',
  description: 'The language the debtor is written to in: Dutch (nl, the default) or English (en).',
});
export type Language = z.infer<typeof Language>;

export const ChannelName = z.enum(CHANNELS);
export type ChannelName = z.infer<typeof ChannelName>;

export const CallOutcome = doc(z.enum(CALL_OUTCOMES), {
  id: 'CallOutcome',
  description: 'What the call brought: dispute pauses the dossiers, wrong_number marks the phone unusable.',
});

// ---- messages ----------------------------------------------------------------------------------------------

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a JSON array',
  null: 'null',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 20 ? 'a string' : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' ? 'the number' : typeof v} ${String(v)}`;
}

/**
 * The message for a zod issue whose schema did not set its own: pass as the per-parse error map
 * (`schema.safeParse(data, { error: friendlyError })`) so every refusal says what is expected.
 */
export function friendlyError(iss: core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[iss.expected] ?? iss.expected;
      return iss.input === undefined ? `is required (${expected})` : `must be ${expected}, not ${describeValue(iss.input)}`;
    }
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big': {
      const unit = iss.origin === 'string' ? ' characters' : iss.origin === 'array' ? ' items' : '';
      return `must be at most ${String(iss.maximum)}${unit}`;
    }
    case 'too_small': {
      const unit = iss.origin === 'string' ? ' characters' : iss.origin === 'array' ? ' items' : '';
      return `must be at least ${String(iss.minimum)}${unit}`;
    }
    case 'invalid_format':
      return `must be a valid ${iss.format}`;
    case 'invalid_union':
      return 'does not match any accepted form (see GET /docs)';
    default:
      return undefined;
  }
}

type AnySchema = core.$ZodType;
type Def = { type: string; innerType?: AnySchema; in?: AnySchema; shape?: Record<string, AnySchema>; element?: AnySchema };
const defOf = (s: AnySchema) => s._zod.def as unknown as Def;

/** Peels optional/default/nullable/pipe wrappers off a schema (to read an object's fields). */
function unwrap(s: AnySchema): AnySchema {
  for (;;) {
    const def = defOf(s);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

/** The fields of the object at `path` inside `schema`, if that is a plain object. */
function fieldsAt(schema: AnySchema | undefined, path: PropertyKey[]): Record<string, AnySchema> | undefined {
  let s = schema && unwrap(schema);
  for (const seg of path) {
    const def = s && defOf(s);
    if (def?.type === 'object') s = Object.hasOwn(def.shape!, String(seg)) ? unwrap(def.shape![String(seg)]) : undefined;
    else if (def?.type === 'array') s = unwrap(def.element!);
    else return undefined;
  }
  const def = s && defOf(s);
  return def?.type === 'object' ? def.shape : undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** Why a field is unknown, with the likely fix: misplaced (belongs inside `debtor`), a typo, or the list of fields. */
function unknownField(schema: AnySchema | undefined, path: PropertyKey[], key: string): string {
  const fields = fieldsAt(schema, path);
  if (!fields) return 'is not a known field here (see GET /docs)';
  const names = Object.keys(fields);
  if (names.length === 0) return 'is not accepted: none are taken here';
  const home = names.find((n) => Object.hasOwn(fieldsAt(schema, [...path, n]) ?? {}, key));
  if (home) return `is not a field here; it belongs inside "${home}" (${[...path, home, key].join('.')})`;
  const near = names.find((n) => editDistance(n.toLowerCase(), key.toLowerCase()) <= 2);
  if (near) return `is not a known field; did you mean "${near}"?`;
  return `is not a known field; the fields here are ${names.join(', ')}`;
}

/**
 * Turns a zod error into { "debtor.phone": "reason" } for the API's 400 answer. An unknown field is named by its
 * own path ("debtor.foo"); pass the schema to say where a misplaced field belongs or which name was meant.
 */
export function fieldErrors(error: { issues: readonly core.$ZodIssue[] }, schema?: AnySchema): Record<string, string> {
  // No prototype: a field named "__proto__" or "constructor" is reported like any other.
  const fields = Object.create(null) as Record<string, string>;
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[[...issue.path, k].join('.')] ??= unknownField(schema, issue.path, k);
      continue;
    }
    const key = issue.path.length ? issue.path.join('.') : '(body)';
    fields[key] ??= issue.message;
  }
  return fields;
}
