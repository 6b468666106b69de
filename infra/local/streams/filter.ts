/**
 * The part of Lambda's event filtering (EventBridge-style patterns) the stream's filter uses: per field a list of
 * allowed values — literals, or `{ "exists": true|false }` — and nested objects for nested fields. Anything else is
 * refused when the emulator starts, so a filter the emulator cannot match exactly never passes unnoticed.
 */
type Pattern = { [field: string]: Pattern | ReadonlyArray<unknown> };

function check(p: unknown, at: string): void {
  if (Array.isArray(p)) {
    for (const v of p) {
      const ok = v === null || ['string', 'number', 'boolean'].includes(typeof v) || (typeof v === 'object' && Object.keys(v).length === 1 && typeof (v as { exists?: unknown }).exists === 'boolean');
      if (!ok) throw new Error(`stream filter ${at}: only literal values and { "exists": … } are emulated, not ${JSON.stringify(v)}`);
    }
    return;
  }
  if (!p || typeof p !== 'object') throw new Error(`stream filter ${at}: expected an object or a list of values`);
  for (const [k, v] of Object.entries(p)) check(v, `${at}.${k}`);
}

function match(p: Pattern | ReadonlyArray<unknown>, value: unknown): boolean {
  if (Array.isArray(p)) {
    return p.some((v) => (v && typeof v === 'object' ? ((v as { exists: boolean }).exists ? value !== undefined : value === undefined) : v === value));
  }
  return Object.entries(p).every(([k, sub]) => {
    const inner = value && typeof value === 'object' ? (value as Record<string, unknown>)[k] : undefined;
    if (Array.isArray(sub)) return match(sub, inner);
    return inner !== undefined && match(sub as Pattern, inner);
  });
}

/** A record matcher for a filter pattern (throws if the pattern uses what is not emulated). */
export function recordFilter(pattern: unknown): (record: unknown) => boolean {
  check(pattern, '$');
  return (record) => match(pattern as Pattern, record);
}

/** The attributes of the new image a pattern requires to exist (a cheap first test before building a record). */
export function requiredNewImageAttributes(pattern: unknown): string[] {
  const image = (pattern as { dynamodb?: { NewImage?: Record<string, unknown> } })?.dynamodb?.NewImage ?? {};
  return Object.entries(image)
    .filter(([, v]) => v && typeof v === 'object' && Object.values(v).some((t) => Array.isArray(t) && t.some((x) => x && typeof x === 'object' && (x as { exists?: boolean }).exists === true)))
    .map(([k]) => k);
}
