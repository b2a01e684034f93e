/**
 * The CDK app: `IamAutoheal` (single account, the only top-level stack, so `cdk deploy` picks it) and,
 * in the `Organization` stage, `Organization/IamAutohealHub` and `Organization/IamAutohealMember`.
 * Context: configFile | config, notificationEmail (comma-separated), slackWorkspaceId + slackChannelId,
 * reserveConcurrency=false (for accounts whose Lambda concurrency quota is still 10).
 */
import { App, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REMEDIATIONS } from '../handlers/core/remediations/index.ts';
import { loadDeploymentConfig } from '../lib/config-source.ts';
import { HubStack, MemberStack, SingleAccountStack } from '../lib/stacks.ts';

/** Errors about the operator's input: one line, no stack trace. */
const INPUT_ERRORS = ['ConfigError', 'ConfigSourceError', 'DefinitionSubstitutionError', 'RemediationPolicyError', 'ContextError'];

class ContextError extends Error {
  override readonly name = 'ContextError' as const;
}

function defineApp(app: App): void {
  // Checks the whole construct tree, the Organization stage included; a finding fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const context = (key: string) => (app.node.tryGetContext(key) as string | undefined)?.toString().trim() || undefined;
  const { config } = loadDeploymentConfig(app.node);
  const workspaceId = context('slackWorkspaceId');
  const channelId = context('slackChannelId');
  if (Boolean(workspaceId) !== Boolean(channelId)) throw new ContextError('context: set both slackWorkspaceId and slackChannelId, or neither');

  const service = {
    config,
    remediations: REMEDIATIONS,
    notificationEmails: context('notificationEmail')?.split(',').map((email) => email.trim()).filter(Boolean) ?? [],
    slack: workspaceId && channelId ? { workspaceId, channelId } : undefined,
    reservedConcurrency: context('reserveConcurrency') === 'false' ? { intake: false, apply: false } as const : undefined,
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
