/**
 * The CDK app: `IamAutoheal` (single account, the only top-level stack, so `cdk deploy` picks it) and,
 * in the `Organization` stage, `Organization/IamAutohealHub` and `Organization/IamAutohealMember`.
 * Context: configFile | config, notificationEmail (comma-separated), slackWorkspaceId + slackChannelId,
 * reserveConcurrency=false (for accounts whose Lambda concurrency quota is still 10), logRetentionDays,
 * vpcSubnetIds + vpcSecurityGroupIds (comma-separated: run the steps in a VPC).
 * Synth runs cdk-nag (AwsSolutions) and the AWS Control Tower proactive controls; a finding fails it.
 */
import { App, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REMEDIATIONS } from '../handlers/core/remediations/index.ts';
import { loadDeploymentConfig } from '../lib/config-source.ts';
import { ContextError, list, logRetentionOf, vpcOf } from '../lib/context-options.ts';
import { controlTowerChecks } from '../lib/control-tower.ts';
import { HubStack, MemberStack, SingleAccountStack } from '../lib/stacks.ts';

/** Errors about the operator's input: one line, no stack trace. */
const INPUT_ERRORS = ['ConfigError', 'ConfigSourceError', 'DefinitionSubstitutionError', 'RemediationPolicyError', 'ContextError', 'VpcPlacementError', 'SlackPartitionError'];

function defineApp(app: App): void {
  // Checks the whole construct tree, the Organization stage included; a finding fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), controlTowerChecks());
  const context = (key: string) => (app.node.tryGetContext(key) as string | undefined)?.toString().trim() || undefined;
  const { config } = loadDeploymentConfig(app.node);
  const workspaceId = context('slackWorkspaceId');
  const channelId = context('slackChannelId');
  if (Boolean(workspaceId) !== Boolean(channelId)) throw new ContextError('context: set both slackWorkspaceId and slackChannelId, or neither');

  const service = {
    config,
    remediations: REMEDIATIONS,
    notificationEmails: list(context('notificationEmail')),
    slack: workspaceId && channelId ? { workspaceId, channelId } : undefined,
    reservedConcurrency: context('reserveConcurrency') === 'false' ? { intake: false, apply: false } as const : undefined,
    logRetention: logRetentionOf(context('logRetentionDays')),
    vpc: vpcOf(list(context('vpcSubnetIds')), list(context('vpcSecurityGroupIds'))),
  };
  // Environment-agnostic: the account and region come from the credentials at deploy time.
  new SingleAccountStack(app, 'IamAutoheal', { service });
  const organization = new Stage(app, 'Organization');
  new HubStack(organization, 'IamAutohealHub', { service, stackName: 'IamAutohealHub' });
  new MemberStack(organization, 'IamAutohealMember', { config, remediations: REMEDIATIONS, stackName: 'IamAutohealMember' });
}

try {
  defineApp(new App());
} catch (error) {
  if (!(error instanceof Error) || !INPUT_ERRORS.includes(error.name)) throw error;
  console.error(`iam-autoheal: ${error.message}`);
  process.exit(1);
}
