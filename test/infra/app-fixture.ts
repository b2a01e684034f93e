/** Test support: the CDK app with the feature flags of cdk.json, no bundling, stub handlers and a small ASL. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig, type ConfigInput } from '../../handlers/core/config.ts';
import type { RemediationGrant } from '../../lib/remediation-policy.ts';
import { HubStack, MemberStack, SingleAccountStack, type ServiceOptions } from '../../lib/stacks.ts';
import { STEP_NAMES } from '../../lib/steps.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
const CDK_JSON = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

/** Declarations shaped like handlers/core/remediations (tests must not depend on the real catalog's contents). */
export const SAMPLE_REMEDIATIONS: RemediationGrant[] = [
  {
    type: 'associate-profile',
    permissions: [
      { actions: ['ec2:AssociateIamInstanceProfile'], resources: ['arn:${Partition}:ec2:${Region}:${Account}:instance/*'], taggable: true },
      { actions: ['iam:PassRole'], resources: ['arn:${Partition}:iam::${Account}:role/*'] },
    ],
  },
  { type: 'merge-trust', permissions: [{ actions: ['iam:UpdateAssumeRolePolicy'], resources: ['arn:${Partition}:iam::${Account}:role/*'], taggable: true }] },
  { type: 'attach-policy', permissions: [{ actions: ['iam:AttachRolePolicy'], resources: ['arn:${Partition}:iam::${Account}:role/*'], taggable: true }] },
];

export const SAMPLE_CONFIG: ConfigInput = {
  scope: { tag: { key: 'iam-autoheal', value: 'on' } },
  expectedPermissions: [{ role: 'app*', policyArns: ['arn:aws:iam::111122223333:policy/app-read'] }],
};

/** A definition using every substitution the real one is expected to use. */
export const SAMPLE_ASL = {
  Comment: 'test definition',
  StartAt: 'Diagnose',
  States: {
    Diagnose: { Type: 'Task', Resource: '${DiagnoseFunctionArn}', Next: 'Guard' },
    Guard: { Type: 'Task', Resource: '${GuardFunctionArn}', Next: 'Approve' },
    Approve: {
      Type: 'Task',
      Resource: 'arn:${Partition}:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${RequestApprovalFunctionArn}', 'Payload.$': '$' },
      Next: 'Apply',
    },
    Apply: { Type: 'Task', Resource: '${ApplyFunctionArn}', Next: 'Verify' },
    Verify: { Type: 'Task', Resource: '${VerifyFunctionArn}', Next: 'Record' },
    Record: { Type: 'Task', Resource: '${RecordFunctionArn}', Next: 'Notify' },
    Notify: { Type: 'Task', Resource: '${NotifyFunctionArn}', Next: 'Outcome' },
    Outcome: {
      Type: 'Task',
      Resource: 'arn:${Partition}:states:::events:putEvents',
      Parameters: { Entries: [{ EventBusName: '${EventBusName}', Source: 'iam-autoheal', DetailType: 'Outcome', 'Detail.$': '$' }] },
      End: true,
    },
  },
};

/** A directory with one-line handlers and an ASL file (the real ones are not needed to test infrastructure). */
export function stubProject(asl: unknown = SAMPLE_ASL): { handlersDir: string; definitionFile: string } {
  // Inside the project (NodejsFunction wants entries under its root), in a git-ignored place that the
  // test run's global setup creates and removes (test/global-setup.ts).
  const cache = process.env.IAM_AUTOHEAL_TEST_STUBS ?? join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const root = mkdtempSync(join(cache, 'stub-'));
  const handlersDir = join(root, 'handlers');
  mkdirSync(handlersDir);
  for (const step of STEP_NAMES) writeFileSync(join(handlersDir, `${step}.ts`), 'export const handler = async () => ({});\n');
  const definitionFile = join(root, 'remediate.asl.json');
  writeFileSync(definitionFile, typeof asl === 'string' ? asl : JSON.stringify(asl, null, 2));
  return { handlersDir, definitionFile };
}

export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface BuiltApp {
  app: App;
  single: SingleAccountStack;
  hub: HubStack;
  member: MemberStack;
}

export interface BuildOptions {
  config?: ConfigInput;
  emails?: string[];
  slack?: boolean;
  /** The project's own handlers and ASL instead of stubs (bundling stays skipped). */
  realProject?: boolean;
  remediations?: readonly RemediationGrant[];
  /** Service options passed through (vpc, logRetention…). */
  service?: Pick<ServiceOptions, 'vpc' | 'logRetention'>;
  /** The single-account and hub stacks' region. @default eu-west-1 */
  region?: string;
}

export function buildApp(options: BuildOptions = {}): BuiltApp {
  const app = testApp();
  const project = options.realProject ? {} : stubProject();
  const config = parseConfig(options.config ?? SAMPLE_CONFIG);
  const remediations = options.remediations ?? SAMPLE_REMEDIATIONS;
  const service = {
    config,
    remediations,
    ...project,
    notificationEmails: options.emails ?? ['oncall@example.com'],
    slack: options.slack ? { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' } : undefined,
    ...options.service,
  };
  const env = { account: '111122223333', region: options.region ?? 'eu-west-1' };
  return {
    app,
    single: new SingleAccountStack(app, 'IamAutoheal', { env, service }),
    hub: new HubStack(app, 'IamAutohealHub', { env, service }),
    member: new MemberStack(app, 'IamAutohealMember', { env: { account: '444455556666', region: 'eu-west-1' }, config, remediations }),
  };
}
