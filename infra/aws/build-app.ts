import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MaatwerkStack } from './stack.js';

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
    // Feature flags this stack relies on (lowest precedence: cdk.json or -c may still override).
    context: {
      // Server access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL
      // (the access-log bucket keeps ACLs disabled: BucketOwnerEnforced).
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      ...options.context,
    },
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
