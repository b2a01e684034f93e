/**
 * The Slack buttons (AWS Chatbot custom actions): the service's limits checked at synth, the four actions attached to
 * our custom notifications by their variables, the channel that may only send to the answer queue, and the answer
 * function's narrow grants.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUTTON_VARIABLES } from '../../handlers/core/notification.ts';
import { buttonSpecs, validateCustomAction, type ButtonSpec } from '../../lib/chatbot-actions.ts';
import { buildApp } from './app-fixture.ts';

const spec = (change: Partial<ButtonSpec> = {}): ButtonSpec => ({ ...buttonSpecs('eu-west-1')[0]!, ...change });

describe('custom action limits (checked at synth)', () => {
  it('accepts the four buttons as built, and each command fits in 100 characters with the longest region name', () => {
    for (const s of buttonSpecs('ap-southeast-4')) {
      expect(() => validateCustomAction(`iam-autoheal-0123abcd-${s.name}`, `iam-autoheal-0123abcd-${s.name}`, s)).not.toThrow();
      expect(s.commandText.length).toBeLessThanOrEqual(100);
    }
  });

  it.each([
    ['an action name with a dot', 'bad.name', 'alias', spec(), /ActionName/],
    ['an alias of 31 characters', 'ok', 'a'.repeat(31), spec(), /AliasName/],
    ['a command of 101 characters', 'ok', 'alias', spec({ commandText: `sqs send-message $q ${'x'.repeat(81)}` }), /CommandText is 101 characters/],
    ['a button text of 51 characters', 'ok', 'alias', spec({ buttonText: 'b'.repeat(51) }), /ButtonText/],
    ['six criteria', 'ok', 'alias', spec({ criteria: Array(6).fill({ operator: 'HAS_VALUE', variableName: 'q' }) }), /1–5 criteria/],
    ['six variables', 'ok', 'alias', spec({ variables: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'q'].map((k) => [k, `event.metadata.additionalContext.${k}`])) }), /at most 5 variables/],
    ['a variable path with a space', 'ok', 'alias', spec({ variables: { q: 'event.metadata x', i: 'x', a: 'y' } }), /printable ASCII/],
    ['a criteria on an undefined variable', 'ok', 'alias', spec({ criteria: [{ operator: 'HAS_VALUE', variableName: 'zz' }] }), /does not define/],
    ['a command reading an undefined variable', 'ok', 'alias', spec({ commandText: 'sqs send-message --queue-url $nope' }), /reads \$nope/],
  ])('refuses %s', (_what, name, alias, s, message) => {
    expect(() => validateCustomAction(name, alias, s)).toThrow(message);
  });

  it('reads the notification variables the messages carry (metadata.additionalContext)', () => {
    const paths = buttonSpecs('eu-west-1').flatMap((s) => Object.values(s.variables));
    for (const key of [BUTTON_VARIABLES.incident, BUTTON_VARIABLES.approval, BUTTON_VARIABLES.undo, BUTTON_VARIABLES.queue]) {
      expect(paths).toContain(`event.metadata.additionalContext.${key}`);
    }
  });
});

describe('with a Slack channel', () => {
  const { single } = buildApp({ slack: true });
  const template = Template.fromStack(single);

  it('creates Approve, Reject, Undo and Details on custom notifications, each sending its answer to the answer queue', () => {
    const actions = Object.values(template.findResources('AWS::Chatbot::CustomAction')).map((a: any) => a.Properties);
    expect(actions.map((a) => a.Attachments[0].ButtonText).sort()).toEqual(['Approve', 'Details', 'Reject', 'Undo']);
    for (const a of actions) {
      expect(a.Attachments[0].NotificationType).toBe('Custom');
      expect(a.Definition.CommandText).toMatch(/^sqs send-message --region eu-west-1 --queue-url \$q --message-body (approve|reject|undo|details)\/\$i/);
      expect(a.Definition.CommandText.length).toBeLessThanOrEqual(100);
      expect(a.AliasName.length).toBeLessThanOrEqual(30);
    }
    const approve = actions.find((a) => a.Attachments[0].ButtonText === 'Approve');
    expect(approve.Attachments[0].Criteria).toContainEqual({ Operator: 'HAS_VALUE', VariableName: 'a' });
    const undo = actions.find((a) => a.Attachments[0].ButtonText === 'Undo');
    expect(undo.Attachments[0].Criteria).toContainEqual({ Operator: 'EQUALS', VariableName: 'u', Value: 'yes' });
    const [channel] = Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration')) as any[];
    expect(channel.Properties.CustomizationResourceArns).toHaveLength(4);
  });

  it('lets the channel role and its guardrail send to the answer queue, nothing else', () => {
    const [queueId] = Object.entries(template.findResources('AWS::SQS::Queue')).find(([id]) => id.includes('Answers'))!;
    const [channel] = Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration')) as any[];
    const guardrails = channel.Properties.GuardrailPolicies as unknown[];
    expect(guardrails).toHaveLength(1);
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
    const channelPolicies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('ChannelRole')).map(([, p]) => p) as any[];
    for (const document of [...managed.map((m) => m.Properties.PolicyDocument), ...channelPolicies.map((p) => p.Properties.PolicyDocument)]) {
      expect(document.Statement).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
    }
    const [, role] = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.includes('ChannelRole'))! as [string, any];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'chatbot.amazonaws.com' });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('the answer function answers tasks of its own state machine only, and touches only approval items of the state table', () => {
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('IamAutohealAnswerRole'))
      .flatMap(([, p]) => (p as any).Properties.PolicyDocument.Statement as any[]);
    const task = statements.find((s) => [s.Action].flat().includes('states:SendTaskSuccess'));
    const stateMachine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    expect(task.Resource).toEqual({ Ref: stateMachine });
    const stateTable = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) => id.includes('State'))!;
    const onState = statements.filter((s) => JSON.stringify(s.Resource).includes(stateTable));
    expect(onState).toEqual([expect.objectContaining({ Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['approval#*'] } } })]);
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map((m: any) => m.Properties);
    const fromAnswers = mappings.find((m) => m.EventSourceArn['Fn::GetAtt'][0].includes('Answers'));
    expect(fromAnswers).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], FunctionName: { Ref: expect.stringContaining('Answer') } });
  });
});

describe('without a Slack channel', () => {
  it('creates no custom action and no channel role; the answer queue and function still serve the CLI-free path', () => {
    const template = Template.fromStack(buildApp().single);
    expect(Object.keys(template.findResources('AWS::Chatbot::CustomAction'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.includes('ChannelRole'))).toEqual([]);
    const answer = Object.values(template.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment.Variables.CHANNEL_ROLE_ID !== undefined) as any;
    expect(answer.Properties.Environment.Variables.CHANNEL_ROLE_ID).toBe('');
  });
});
