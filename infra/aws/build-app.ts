import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { repoPath } from './paths.js';
import { MaatwerkStack } from './stack.js';

/**
 * The feature flags of cdk.json (the ones aws-cdk-lib recommends; test/infra/config.test.ts keeps them complete).
 * `cdk synth` passes them to the app itself; an app built in a test gets them here, so both synthesize the same.
 */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

export interface BuildAppOptions {
  /** Stack name (default `Maatwerk`, or context `stackName`). The journey is named `<stackName>-journey`. */
  readonly stackName?: string;
  /**
   * Register cdk-nag's AwsSolutionsChecks as a synth-time validation plugin (default true: an
   * unacknowledged finding fails `cdk synth`). Tests turn it off and run the same pack with
   * `validateScope`, so a finding fails one named test instead of every test in the file.
   */
  readonly nag?: boolean;
  /** Extra app context (lowest precedence), e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling. */
  readonly context?: Record<string, unknown>;
}

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: MaatwerkStack } {
  const app = new App({
    // Lowest precedence: what the CLI passes (cdk.json, -c) still wins.
    context: { ...cdkJsonContext(), ...options.context },
  });
  const stackName: string = options.stackName ?? app.node.tryGetContext('stackName') ?? 'Maatwerk';
  // Environment-agnostic on purpose: no lookups, so synth is identical on every machine and offline;
  // `cdk deploy` takes account and region from the CLI profile.
  const stack = new MaatwerkStack(app, stackName, {
    description: 'Maatwerk: omnichannel debt-collection outreach orchestrator',
    alarmEmail: app.node.tryGetContext('alarmEmail'),
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
