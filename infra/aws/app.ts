/**
 * CDK entry point (cdk.json: `npx tsx infra/aws/app.ts`). Synth runs offline:
 *   CDK_DISABLE_CLI_TELEMETRY=true npm run synth
 * Context: `-c stackName=…` (default Maatwerk), `-c alarmEmail=ops@example.com`.
 * cdk-nag AwsSolutionsChecks runs as a validation plugin: an unacknowledged finding fails synth.
 */
import { buildApp } from './build-app.js';

buildApp();
