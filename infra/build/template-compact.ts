/**
 * Build step, after slim() (templates.ts): the three statements Handlebars' precompiler writes for almost every
 * `{{…}}` of our templates, each ≈ 75–150 characters of the same code, written as a call of a small function
 * defined once per bundle (TEMPLATE_PRELUDE) that does exactly what the statement did:
 *
 *   ((stack1 = lookupProperty(helpers,"if").call(CTX, ARGS…, {"name":"if","hash":{},"fn":container.program(1, data, 0),
 *     "inverse":container.noop,"data":data})) != null ? stack1 : "")          →  $b(container,helpers,"if",CTX,[ARGS…],1,-1,data)
 *   the same without fn/inverse (a helper such as money)                        →  $h(container,helpers,"money",CTX,[ARGS…],data)
 *   ((stack1 = container.invokePartial(lookupProperty(partials,"help"),depth0,{"name":"help","data":data,"helpers":helpers,
 *     "partials":partials,"decorators":container.decorators})) != null ? stack1 : "")   →  $p(container,partials,"help",depth0,data,helpers)
 *   ((stack1 = container.lambda(container.strict(OBJ, "name", {"start":{"line":1,"column":2}} ), depth0)) != null ? stack1 : "")
 *                                                                              →  $s(container,OBJ,"name",1,2,depth0)
 *
 * The same calls with the same arguments and options objects (key order included), the same strict look-up error
 * with its position; `CTX` is the context Handlebars passes (`depth0 != null ? depth0 : (container.nullContext || {})`,
 * or an alias of it), which the functions default the same way. A statement of any other shape (a hash argument, an
 * indented partial, block params …) is left as it is. The precompiled templates of the email function become a third
 * smaller; test/unit/template-store.test.ts renders every template of every channel, and every answer, from the
 * compacted store and compares them with the templates folder rendered by the full compiler.
 */

/** The functions the compacted specifications call; the embedded templates module starts with it. */
export const TEMPLATE_PRELUDE = [
  'const $c=(c,x)=>x!=null?x:c.nullContext||{};',
  'const $r=(r)=>r!=null?r:"";',
  'function $b(c,h,name,ctx,args,fn,inverse,data){return $r(c.lookupProperty(h,name).call($c(c,ctx),...args,{name,hash:{},fn:c.program(fn,data,0),inverse:inverse<0?c.noop:c.program(inverse,data,0),data}))}',
  'function $h(c,h,name,ctx,args,data){return $r(c.lookupProperty(h,name).call($c(c,ctx),...args,{name,hash:{},data}))}',
  'function $p(c,partials,name,ctx,data,helpers){return $r(c.invokePartial(c.lookupProperty(partials,name),ctx,{name,data,helpers,partials,decorators:c.decorators}))}',
  'function $s(c,obj,name,line,column,ctx){return $r(c.lambda(c.strict(obj,name,{start:{line,column}}),ctx))}',
].join('\n');

/** The names TEMPLATE_PRELUDE defines, which the specifications call. */
export const TEMPLATE_PRELUDE_NAMES = ['$c', '$r', '$b', '$h', '$p', '$s'] as const;

const HEAD = '((stack1 = ';
const TAIL = ') != null ? stack1 : "")';
const NULL_CONTEXT = 'depth0 != null ? depth0 : (container.nullContext || {})';
const FN_HEAD = 'function(container,depth0,helpers,partials,data';

/** The comma-separated arguments of the call whose `(` is at `open`, and the index after its `)`. */
function argsAt(src: string, open: number): { args: string[]; end: number } | undefined {
  if (src[open] !== '(') return undefined;
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < src.length; i++) {
    const ch = src[i];
    if (ch === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) {
        if (ch !== ')') return undefined;
        const last = src.slice(start, i).trim();
        if (last || args.length) args.push(last);
        return { args, end: i + 1 };
      }
      depth--;
    } else if (ch === ',' && depth === 0) {
      args.push(src.slice(start, i).trim());
      start = i + 1;
    }
  }
  return undefined;
}

/** aliasN → what it stands for, from the `var stack1, alias1=…, lookupProperty = …;` line of the function around `at`. */
function aliasesAt(src: string, at: number): Map<string, string> {
  const fn = src.lastIndexOf(FN_HEAD, at);
  const aliases = new Map<string, string>();
  if (fn < 0) return aliases;
  const decl = /\{\s*var ([^;]*);/y;
  decl.lastIndex = src.indexOf('{', fn);
  const m = decl.exec(src);
  if (!m || m.index > at) return aliases;
  for (const part of m[1].split(/, (?=\w+ ?=)/)) {
    const a = /^(alias\d+)=(.*)$/.exec(part.trim());
    if (a) aliases.set(a[1], a[2]);
  }
  return aliases;
}

const HELPER_CALL = /lookupProperty\(helpers,"([\w-]+)"\)\.call/y;
const PARTIAL = /container\.invokePartial\(lookupProperty\(partials,"([\w-]+)"\),depth0,\{"name":"([\w-]+)","data":data,"helpers":helpers,"partials":partials,"decorators":container\.decorators\}\)/y;
const PROGRAM = /^container\.program\((\d+), data, 0\)$/;

/** One statement at `at` (where HEAD starts) as its compact call, and where the statement ends; undefined: leave it. */
function compactOne(src: string, at: number): { text: string; end: number } | undefined {
  const p = at + HEAD.length;
  const tail = (end: number) => (src.startsWith(TAIL, end) ? end + TAIL.length : -1);

  HELPER_CALL.lastIndex = p;
  const helper = HELPER_CALL.exec(src);
  if (helper) {
    const call = argsAt(src, HELPER_CALL.lastIndex);
    if (!call || call.args.length < 2) return undefined;
    const end = tail(call.end);
    if (end < 0) return undefined;
    const name = helper[1];
    const ctx = call.args[0] === NULL_CONTEXT ? 'depth0' : call.args[0];
    if (ctx !== 'depth0' && aliasesAt(src, at).get(ctx) !== NULL_CONTEXT) return undefined;
    const params = call.args.slice(1, -1).join(',');
    const options = call.args[call.args.length - 1];
    if (options === `{"name":"${name}","hash":{},"data":data}`) return { text: `$h(container,helpers,"${name}",${ctx},[${params}],data)`, end };
    const block = new RegExp(`^\\{"name":"${name}","hash":\\{\\},"fn":(container\\.program\\(\\d+, data, 0\\)),"inverse":(container\\.program\\(\\d+, data, 0\\)|container\\.noop),"data":data\\}$`).exec(options);
    if (!block) return undefined;
    const fn = PROGRAM.exec(block[1])![1];
    const inverse = block[2] === 'container.noop' ? '-1' : PROGRAM.exec(block[2])![1];
    return { text: `$b(container,helpers,"${name}",${ctx},[${params}],${fn},${inverse},data)`, end };
  }

  PARTIAL.lastIndex = p;
  const partial = PARTIAL.exec(src);
  if (partial) {
    if (partial[1] !== partial[2]) return undefined;
    const end = tail(PARTIAL.lastIndex);
    return end < 0 ? undefined : { text: `$p(container,partials,"${partial[1]}",depth0,data,helpers)`, end };
  }

  // lambda(strict(OBJ, "name", {"start":{…}}), depth0), the two functions possibly aliased
  const fnName = /(container\.lambda|alias\d+)\((container\.strict|alias\d+)\(/y;
  fnName.lastIndex = p;
  const lookup = fnName.exec(src);
  if (!lookup) return undefined;
  const aliases = aliasesAt(src, at);
  const resolve = (name: string) => aliases.get(name) ?? name;
  if (resolve(lookup[1]) !== 'container.lambda' || resolve(lookup[2]) !== 'container.strict') return undefined;
  const strict = argsAt(src, fnName.lastIndex - 1);
  if (!strict || strict.args.length !== 3) return undefined;
  const loc = /^\{"start":\{"line":(\d+),"column":(\d+)\}\}$/.exec(strict.args[2]);
  if (!loc || !/^"[^"\\]*"$/.test(strict.args[1])) return undefined;
  const rest = /^, depth0\)/.exec(src.slice(strict.end, strict.end + 9));
  if (!rest) return undefined;
  const end = tail(strict.end + rest[0].length);
  if (end < 0) return undefined;
  return { text: `$s(container,${strict.args[0]},${strict.args[1]},${loc[1]},${loc[2]},depth0)`, end };
}

/** A precompiled (and slimmed) specification with the common statements as calls of the TEMPLATE_PRELUDE functions. */
export function compactSpec(spec: string): string {
  return pruneDeclarations(compactStatements(spec));
}

function compactStatements(spec: string): string {
  let out = '';
  let from = 0;
  for (let at = spec.indexOf(HEAD); at >= 0; at = spec.indexOf(HEAD, at + 1)) {
    if (at < from) continue;
    const c = compactOne(spec, at);
    if (!c) continue;
    // the arguments may hold statements of their own (a helper call inside a block's arguments): compact those too
    out += spec.slice(from, at) + compactStatements(c.text);
    from = c.end;
    at = c.end - 1;
  }
  return out + spec.slice(from);
}

/** Index after the `}` that closes the `{` at `open` (strings skipped). */
function blockEnd(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Each function's `var stack1, alias1=…, lookupProperty = container.lookupProperty;` without the names its body no
 * longer uses once its statements are calls (each of those initialisers only reads a property or picks a context).
 */
function pruneDeclarations(spec: string): string {
  let out = '';
  let from = 0;
  for (let fn = spec.indexOf(FN_HEAD); fn >= 0; fn = spec.indexOf(FN_HEAD, fn + 1)) {
    const open = spec.indexOf('{', fn);
    const end = blockEnd(spec, open);
    const decl = /\{\s*var ([^;]*);/y;
    decl.lastIndex = open;
    const m = decl.exec(spec);
    if (end < 0 || !m) continue;
    const body = spec.slice(decl.lastIndex, end);
    const used = (name: string) => new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(body);
    const parts = m[1].split(/, (?=\w+ ?=|\w+$)/).map((p) => p.trim());
    const known = /^(stack1|alias\d+=(container\.\w+|depth0 != null \? depth0 : \(container\.nullContext \|\| \{\}\))|lookupProperty = container\.lookupProperty)$/;
    if (!parts.every((p) => known.test(p))) continue; // something else declared here: leave the function as it is
    const kept = parts.filter((p) => used(p.split(/ ?=/)[0]));
    out += spec.slice(from, open) + (kept.length ? `{\n    var ${kept.join(', ')};` : '{');
    from = decl.lastIndex;
    fn = end - 1;
  }
  return out + spec.slice(from);
}
