/**
 * Lambda code from our own bundler (infra/build/bundle.ts) rather than NodejsFunction's: one bundle definition for
 * `cdk synth`, the bench and the tests (the sizes the bench prints are the deployed ones), esbuild plugins (each
 * function keeps only its own channels, templates precompiled in), and the source map and metafile kept as build
 * artefacts outside the asset — NodejsFunction can do none of these.
 *
 * CDK's local bundling hook is synchronous and esbuild plugins need its asynchronous API, so the first function
 * asks a child process to bundle all of them at once into `<cloud assembly>/function-builds/` (≈ 7 s), and each
 * function's hook copies its own asset from there. `<cloud assembly>/function-builds/<Name>/artefacts` keeps the
 * source map and esbuild's metafile of every deployed bundle.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName } from './functions.js';
import { REPO_ROOT, repoPath } from './paths.js';

const built = new Set<string>();

/** Where the bundles of this app's synth are built: inside its cloud assembly, never deployed as such. */
export function functionBuildsDir(scope: Construct): string {
  return path.join(Stage.of(scope)!.outdir, 'function-builds');
}

function buildAll(dir: string): void {
  if (built.has(dir)) return;
  rmSync(dir, { recursive: true, force: true });
  const res = spawnSync(process.execPath, ['--import', 'tsx', repoPath('infra', 'build', 'bundle-cli.ts'), dir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (res.status !== 0) throw new Error(`bundling the Lambda functions failed (exit ${res.status ?? res.signal})`);
  built.add(dir);
}

export function bundledCode(scope: Construct, name: FunctionName): lambda.Code {
  const dir = functionBuildsDir(scope);
  return lambda.Code.fromAsset(path.dirname(repoPath(FUNCTIONS[name].entry)), {
    // The asset is identified by what is deployed, not by the (shared) source folder.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws. `command` keeps each function's bundling options,
      // and so CDK's in-process bundling cache key, distinct.
      image: DockerImage.fromRegistry('maatwerk/local-bundling-only'),
      command: ['maatwerk-bundle', name],
      local: {
        tryBundle(outputDir: string): boolean {
          buildAll(dir);
          cpSync(path.join(dir, name, 'asset'), outputDir, { recursive: true });
          return true;
        },
      },
    },
  });
}
