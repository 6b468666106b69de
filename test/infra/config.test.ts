/**
 * Configuration that should not drift: the CDK feature flags aws-cdk-lib recommends, and one story about Node
 * versions — `engines` (what runs the tests, the local runtime and CDK), @types/node (the APIs the code may use),
 * the bundles' esbuild target, the Lambda runtime, and what the dependencies declare they need.
 */
import { readFileSync } from 'node:fs';
import { CURRENTLY_RECOMMENDED_FLAGS, FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../infra/aws/paths.js';
import { LAMBDA_RUNTIME } from '../../infra/aws/stack.js';
import { BUNDLE_TARGET } from '../../infra/build/bundle.js';

const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; engines?: Record<string, string> | string[] }>;
};

type Version = [number, number, number];
const parse = (v: string): Version => {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map((x) => (x === 'x' || x === '*' ? 0 : Number(x)));
  return [a, b, c];
};
const cmp = (x: Version, y: Version) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** Does a package's `engines.node` admit this Node version? The range forms npm packages use here; others fail the test. */
function admits(range: string, version: string): boolean {
  const v = parse(version);
  return range.split('||').some((alt) => {
    const parts = alt.trim().split(/\s+(?=[<>^~=])/).map((p) => p.replace(/\s+/g, ''));
    return parts.every((p) => {
      let m: RegExpExecArray | null;
      if (p === '*' || p === '') return true;
      const N = '(\\d+(?:\\.[\\dx*]+){0,2})';
      if ((m = new RegExp(`^>=${N}$`).exec(p))) return cmp(v, parse(m[1])) >= 0;
      if ((m = new RegExp(`^>${N}$`).exec(p))) return cmp(v, parse(m[1])) > 0;
      if ((m = new RegExp(`^<=${N}$`).exec(p))) return cmp(v, parse(m[1])) <= 0;
      if ((m = new RegExp(`^<${N}$`).exec(p))) return cmp(v, parse(m[1])) < 0;
      if ((m = /^~(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(p))) return v[0] === Number(m[1]) && (m[2] === undefined || v[1] === Number(m[2])) && cmp(v, parse(p.slice(1))) >= 0;
      if ((m = /^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(p))) return v[0] === Number(m[1]) && cmp(v, parse(p.slice(1))) >= 0;
      if ((m = /^(\d+)(?:\.(x|\*|\d+))?(?:\.(x|\*|\d+))?$/.exec(p))) {
        // a bare (partial) version: every version it names ("18" = 18.x.x)
        return [m[1], m[2], m[3]].every((part, i) => part === undefined || part === 'x' || part === '*' || v[i] === Number(part));
      }
      throw new Error(`engines range "${range}": unknown form "${p}"`);
    });
  });
}

/**
 * The lowest version of each Node line `engines` admits: ">=20.19.0" → [20.19.0]; "^20.19.0 || ^22.13.0 || >=24.0.0"
 * (what vitest 4 and its bundler need) → [20.19.0, 22.13.0, 24.0.0]. Undefined when the range has another form.
 */
const LINE_MINIMA: string[] | undefined = (() => {
  const alternatives = pkg.engines.node.split('||').map((a) => /^(?:>=|\^)(\d+\.\d+\.\d+)$/.exec(a.trim())?.[1]);
  return alternatives.every((v) => v !== undefined) ? (alternatives as string[]).sort((a, b) => cmp(parse(a), parse(b))) : undefined;
})();
const ENGINES_MIN = LINE_MINIMA && /^(\d+)\.(\d+)\.(\d+)$/.exec(LINE_MINIMA[0]);
/** the oldest Node the project supports, e.g. 20.19.0 (what the tools need: vite, under vitest, wants ^20.19) */
const minVersion = ENGINES_MIN ? `${ENGINES_MIN[1]}.${ENGINES_MIN[2]}.${ENGINES_MIN[3]}` : 'none';
const nodeMin = Number(ENGINES_MIN?.[1]);
const lambdaNode = Number(/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME.name)?.[1]);

describe('CDK feature flags', () => {
  const context = (JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

  it('sets every flag aws-cdk-lib recommends, to the recommended value', () => {
    const missing = Object.entries(CURRENTLY_RECOMMENDED_FLAGS).filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value));
    expect(missing.map(([flag, value]) => `${flag}: ${JSON.stringify(value)}`)).toEqual([]);
  });

  it('sets no flag aws-cdk-lib does not know', () => {
    expect(Object.keys(context).filter((k) => k.startsWith('@aws-cdk') && !(k in FLAGS))).toEqual([]);
  });
});

describe('Node versions', () => {
  it('engines names one minimum major, and the tests run on a Node that satisfies it', () => {
    expect(ENGINES_MIN, `engines.node "${pkg.engines.node}" should be ">=<major>.<minor>.<patch>" or "^<x.y.z> || … || >=<x.y.z>"`).toBeTruthy();
    expect(admits(pkg.engines.node, process.versions.node)).toBe(true);
  });

  it('@types/node and the bundles target that minimum: no API or syntax newer than the oldest Node the code runs on', () => {
    expect(Number(/^\D*(\d+)/.exec(pkg.devDependencies['@types/node'])![1])).toBe(nodeMin);
    expect(BUNDLE_TARGET).toBe(`node${nodeMin}`);
  });

  it('the Lambda runtime is nodejs22.x or newer and not older than the minimum', () => {
    expect(lambdaNode).toBeGreaterThanOrEqual(22);
    expect(lambdaNode).toBeGreaterThanOrEqual(nodeMin);
  });

  it('every production dependency runs on the minimum of each supported Node line and on the Lambda runtime', () => {
    const refusing: string[] = [];
    for (const [where, p] of Object.entries(lock.packages)) {
      if (!where || p.dev || !p.engines || Array.isArray(p.engines) || !p.engines.node) continue;
      for (const v of [...(LINE_MINIMA ?? [minVersion]), `${lambdaNode}.0.0`]) if (!admits(p.engines.node, v)) refusing.push(`${where} (${p.engines.node}) refuses ${v}`);
    }
    expect(refusing).toEqual([]);
  });

  it('every development dependency runs on the minimum (vitest\'s vite sets it: ^20.19), except the conformance-only aws-local-stepfunctions', () => {
    const refusing: string[] = [];
    for (const [where, p] of Object.entries(lock.packages)) {
      if (!where || !p.dev || !p.engines || Array.isArray(p.engines) || !p.engines.node) continue;
      if (!admits(p.engines.node, minVersion)) refusing.push(where.replace(/^.*node_modules\//, ''));
    }
    // aws-local-stepfunctions declares Node >= 22 but works on 20 (TOOLCHAIN.md); only the emulator's conformance tests use it.
    expect(refusing).toEqual(['aws-local-stepfunctions']);
  });

  it('the engines parser is strict (it fails on a form it does not know)', () => {
    expect(admits('>=18.0.0', '20.0.0')).toBe(true);
    expect(admits('^14.21.3 || >=16', '20.0.0')).toBe(true);
    expect(admits('>= 14.x', '24.0.0')).toBe(true);
    expect(admits('>=22.0.0', '20.19.0')).toBe(false);
    expect(admits('^18', '20.0.0')).toBe(false);
    expect(admits('~20.1', '20.2.0')).toBe(false);
    expect(admits('>=12.*', '20.0.0')).toBe(true);
    expect(() => admits('node20', '20.1.0')).toThrow(/unknown form/);
  });
});
