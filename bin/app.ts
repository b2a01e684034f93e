/**
 * The CDK app: `IamAutoheal` (single account, the default), `IamAutohealHub` and `IamAutohealMember`.
 * Context: configFile | config, notificationEmail (comma-separated), slackWorkspaceId + slackChannelId.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REMEDIATIONS } from '../handlers/core/remediations/index.ts';
import { loadDeploymentConfig } from '../lib/config-source.ts';
import { HubStack, MemberStack, SingleAccountStack } from '../lib/stacks.ts';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const context = (key: string) => (app.node.tryGetContext(key) as string | undefined)?.toString().trim() || undefined;
const { config } = loadDeploymentConfig(app.node);
const workspaceId = context('slackWorkspaceId');
const channelId = context('slackChannelId');
if (Boolean(workspaceId) !== Boolean(channelId)) throw new Error('context: set both slackWorkspaceId and slackChannelId, or neither');

const service = {
  config,
  remediations: REMEDIATIONS,
  notificationEmails: context('notificationEmail')?.split(',').map((email) => email.trim()).filter(Boolean) ?? [],
  slack: workspaceId && channelId ? { workspaceId, channelId } : undefined,
};
// Environment-agnostic: the account and region come from the credentials at deploy time.
new SingleAccountStack(app, 'IamAutoheal', { service });
new HubStack(app, 'IamAutohealHub', { service });
new MemberStack(app, 'IamAutohealMember', { config, remediations: REMEDIATIONS });
