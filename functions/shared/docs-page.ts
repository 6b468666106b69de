/**
 * GET /docs: the OpenAPI document rendered to one self-contained HTML page — no scripts, no fonts or styles from
 * elsewhere, readable offline and without JavaScript. Rendered on the server from the same document GET
 * /openapi.json serves, so the page cannot drift from it. Everything from the document is HTML-escaped.
 */
import type { OpenAPIV3_1 } from 'openapi-types';

type OpenAPIObject = OpenAPIV3_1.Document;
type OperationObject = OpenAPIV3_1.OperationObject;
type ParameterObject = OpenAPIV3_1.ParameterObject;
type ReferenceObject = OpenAPIV3_1.ReferenceObject;
type ResponseObject = OpenAPIV3_1.ResponseObject;
/** A schema as this page reads it (3.1: `type` may list several types). */
type SchemaObject = Omit<OpenAPIV3_1.BaseSchemaObject, 'type'> & { type?: string | string[]; items?: SchemaObject | ReferenceObject };

type Schema = SchemaObject | ReferenceObject;

const esc = (v: unknown): string =>
  String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The small Markdown the descriptions use: paragraphs, "- " lists, `code`, **bold**. */
function md(text: string | undefined): string {
  if (!text) return '';
  const inline = (s: string) =>
    esc(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  const blocks = text.split(/\n\s*\n/);
  return blocks
    .map((block) => {
      const lines = block.split('\n');
      if (lines[0].startsWith('- ')) {
        const items: string[] = [];
        for (const line of lines) {
          if (line.startsWith('- ')) items.push(line.slice(2));
          else items[items.length - 1] += ` ${line.trim()}`;
        }
        return `<ul>${items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
      }
      return `<p>${inline(lines.join(' '))}</p>`;
    })
    .join('\n');
}

const isRef = (s: unknown): s is ReferenceObject => !!s && typeof s === 'object' && '$ref' in s;
const refName = (r: ReferenceObject) => r.$ref.split('/').pop()!;
const anchor = (name: string) => `schema-${name.replace(/[^\w-]/g, '_')}`;
const json = (v: unknown) => `<pre><code>${esc(JSON.stringify(v, null, 2))}</code></pre>`;

/** A one-line description of a schema's type: "string (date)", "one of …", "array of Dossier", a link for a $ref. */
function typeOf(s: Schema | undefined): string {
  if (!s) return 'any';
  if (isRef(s)) return `<a href="#${anchor(refName(s))}">${esc(refName(s))}</a>`;
  if (s.anyOf || s.oneOf) return `one of: ${(s.anyOf ?? s.oneOf)!.map(typeOf).join(' | ')}`;
  if (s.enum) return s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (s.const !== undefined) return `<code>${esc(JSON.stringify(s.const))}</code>`;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('array')) return `array of ${typeOf(s.items as Schema)}`;
  const base = types.join(' or ') || (s.properties ? 'object' : 'any');
  return esc(s.format ? `${base} (${s.format})` : base);
}

function constraints(s: Schema): string {
  if (isRef(s)) return '';
  const parts: string[] = [];
  if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} characters`);
  const low = s.minimum !== undefined ? `${s.minimum} ≤` : typeof s.exclusiveMinimum === 'number' ? `${s.exclusiveMinimum} <` : '';
  const high = s.maximum !== undefined ? `≤ ${s.maximum}` : typeof s.exclusiveMaximum === 'number' ? `< ${s.exclusiveMaximum}` : '';
  if (low || high) parts.push(`${low} value ${high}`.trim());
  if (s.pattern) parts.push(`pattern <code>${esc(s.pattern)}</code>`);
  if (s.default !== undefined) parts.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
  if (s.additionalProperties === false) parts.push('no other fields');
  return parts.join('; ');
}

/** The schema a $ref points to (components of the document being rendered), else the schema itself. */
let components: Record<string, Schema> = {};
const resolve = (s: Schema): SchemaObject => (isRef(s) ? ((components[refName(s)] as SchemaObject | undefined) ?? {}) : s);

/**
 * Rows for an object's fields, nested objects expanded with dotted names (`debtor.address.postalCode`) — also
 * those behind a $ref, so a request body reads as one table; `seen` stops a schema that contains itself.
 */
function fieldRows(s: SchemaObject, prefix = '', seen: Set<string> = new Set()): string {
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {})
    .map(([name, f]) => {
      const field = f as Schema;
      const own = resolve(field);
      const description = (isRef(field) ? undefined : field.description) ?? own.description;
      const example = !isRef(field) && field.example !== undefined ? `<br><span class="ex">e.g. <code>${esc(JSON.stringify(field.example))}</code></span>` : '';
      const row = `<tr><td><code>${esc(prefix + name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${typeOf(field)}</td><td>${md(description)}${constraints(field) ? `<div class="c">${constraints(field)}</div>` : ''}${example}</td></tr>`;
      const ref = isRef(field) ? refName(field) : undefined;
      if (ref && seen.has(ref)) return row;
      const inner = new Set(seen).add(ref ?? '');
      // a field that is one of several objects: each one's fields, under the same name
      const variants = (own.anyOf ?? own.oneOf ?? []).map((v) => resolve(v as Schema)).filter((v) => v.properties);
      const nested = own.properties ? fieldRows(own, `${prefix}${name}.`, inner) : variants.map((v) => fieldRows(v, `${prefix}${name}.`, inner)).join('');
      const items = own.items ? resolve(own.items as Schema) : undefined;
      const itemRows = items?.properties ? fieldRows(items, `${prefix}${name}[].`, inner) : '';
      return row + nested + itemRows;
    })
    .join('');
}

function schemaBlock(s: Schema | undefined): string {
  if (!s) return '';
  const own = resolve(s);
  const link = isRef(s) ? `<p>${typeOf(s)}</p>` : '';
  if (own.properties) return link + table(fieldRows(own, '', new Set(isRef(s) ? [refName(s)] : [])));
  const items = own.items ? resolve(own.items as Schema) : undefined;
  return `${link || `<p>${typeOf(s)}</p>`}${items?.properties ? table(fieldRows(items, '[].')) : ''}`;
}

const table = (rows: string) => (rows ? `<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>` : '');

function auth(op: OperationObject): string {
  if (op.security?.length) return (op as Record<string, unknown>)['x-agent-only'] ? 'x-api-key of an agency (agent) client' : 'x-api-key';
  const signature = (op.parameters ?? []).find((p) => !isRef(p) && p.in === 'header' && /signature/i.test(p.name));
  return signature && !isRef(signature) ? `provider signature (${esc(signature.name)})` : 'none';
}

function operationHtml(method: string, path: string, op: OperationObject): string {
  const params = (op.parameters ?? []).filter((p): p is ParameterObject => !isRef(p));
  const paramRows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${md(p.description)}${p.schema && constraints(p.schema) ? `<div class="c">${constraints(p.schema)}</div>` : ''}</td></tr>`,
    )
    .join('');
  const body = op.requestBody && !isRef(op.requestBody) ? op.requestBody : undefined;
  const bodyHtml = body
    ? Object.entries(body.content)
        .map(([type, media]) => `<h4>Body <code>${esc(type)}</code></h4>${schemaBlock(media.schema)}${media.example !== undefined ? `<h5>Example</h5>${json(media.example)}` : ''}`)
        .join('')
    : '';
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const res = r as ResponseObject;
      const content = Object.entries(res.content ?? {})
        .map(([type, media]) => `<code>${esc(type)}</code>: ${typeOf(media.schema)}`)
        .join('<br>');
      return `<tr><td><strong>${esc(status)}</strong></td><td>${md(res.description)}</td><td>${content}</td></tr>`;
    })
    .join('');
  const id = op.operationId ?? `${method}-${path}`;
  return `<section class="op" id="op-${esc(id)}">
<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p class="sum">${esc(op.summary ?? '')}</p>${md(op.description)}
<p class="auth">Authentication: ${auth(op)}</p>
${paramRows ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr></thead><tbody>${paramRows}</tbody></table>` : ''}
${bodyHtml}
<h4>Answers</h4><table><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>${responses}</tbody></table>
</section>`;
}

const CSS = `body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;max-width:72rem;margin:0 auto;padding:1rem 1.5rem;color:#1a1a1a}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}pre{background:#f5f5f3;padding:.75rem;overflow:auto;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{text-align:left;vertical-align:top;border-bottom:1px solid #ddd;padding:.35rem .5rem}th{background:#f0f0ee}
.op{border-top:2px solid #ccc;padding-top:.5rem;margin-top:2rem}.m{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.85em}
.m-get{background:#1d6fb8}.m-post{background:#2b8a3e}.m-patch{background:#b35c00}.m-delete{background:#b3261e}.req{color:#b3261e;font-size:.8em}.c,.ex{color:#555;font-size:.88em}
.sum{font-weight:600}.auth{color:#444}nav>ul{columns:2}nav li{break-inside:avoid}a{color:#0b57a4}`;

export function docsPage(doc: OpenAPIObject): string {
  components = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const ops: Array<{ tag: string; method: string; path: string; op: OperationObject }> = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item?.[method];
      if (op) ops.push({ tag: op.tags?.[0] ?? 'Other', method, path, op });
    }
  }
  const tags = (doc.tags ?? []).map((t) => t.name);
  const byTag = tags.map((tag) => ({ tag, description: doc.tags?.find((t) => t.name === tag)?.description, ops: ops.filter((o) => o.tag === tag) }));
  const nav = byTag
    .map((t) => `<li><strong>${esc(t.tag)}</strong><ul>${t.ops.map((o) => `<li><a href="#op-${esc(o.op.operationId ?? '')}">${esc(o.method.toUpperCase())} ${esc(o.path)}</a></li>`).join('')}</ul></li>`)
    .join('');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<section id="${anchor(name)}"><h3>${esc(name)}</h3>${md(isRef(s) ? '' : s.description)}${schemaBlock(s)}${!isRef(s) && s.examples ? `<h5>Examples</h5>${json(s.examples)}` : ''}</section>`)
    .join('\n');
  const servers = (doc.servers ?? []).map((s) => `<code>${esc(s.url)}</code>`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
${servers ? `<p>Server: ${servers} · machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${esc(doc.openapi)})</p>` : ''}
${md(doc.info.description)}
<nav><h2>Routes</h2><ul>${nav}</ul><p><a href="#schemas">Schemas</a></p></nav>
${byTag.map((t) => `<h2>${esc(t.tag)}</h2>${md(t.description)}${t.ops.map((o) => operationHtml(o.method, o.path, o.op)).join('\n')}`).join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas}
</body></html>`;
}
