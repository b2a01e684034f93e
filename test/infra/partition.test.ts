/**
 * Slack only where AWS Chatbot exists: its resources carry a condition on the partition, nothing outside them refers
 * to them unconditionally (checked by walking every template generically), and a stack whose region is known to be
 * in another partition refuses Slack at synth.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SlackPartitionError } from '../../lib/notifications.ts';
import { buildApp } from './app-fixture.ts';

type Json = any;
interface CfnTemplate { Resources: Record<string, Json>; Outputs?: Record<string, Json>; Conditions?: Record<string, Json> }

/**
 * Every Ref, GetAtt, Sub and DependsOn that reaches a conditioned resource from a place where its condition is not
 * known to hold: the resource's or output's own condition, or the true branch of an enclosing Fn::If on it.
 */
function danglingReferences(template: CfnTemplate): string[] {
  const conditionOf = (id: string): string | undefined => template.Resources[id]?.Condition;
  const found: string[] = [];
  const reach = (where: string, target: string, holding: ReadonlySet<string>) => {
    const needed = conditionOf(target);
    if (needed && !holding.has(needed)) found.push(`${where} → ${target} (condition ${needed})`);
  };
  const walk = (where: string, value: Json, holding: ReadonlySet<string>): void => {
    if (Array.isArray(value)) return value.forEach((item) => walk(where, item, holding));
    if (value === null || typeof value !== 'object') return;
    if (typeof value.Ref === 'string') return reach(where, value.Ref, holding);
    if (Array.isArray(value['Fn::GetAtt'])) return reach(where, value['Fn::GetAtt'][0], holding);
    if (typeof value['Fn::GetAtt'] === 'string') return reach(where, value['Fn::GetAtt'].split('.')[0], holding);
    if ('Fn::Sub' in value) {
      const [text, variables] = typeof value['Fn::Sub'] === 'string' ? [value['Fn::Sub'], {}] : value['Fn::Sub'];
      for (const [, name] of (text as string).matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) if (!(name! in variables)) reach(where, name!, holding);
      return walk(where, variables, holding);
    }
    if (Array.isArray(value['Fn::If'])) {
      const [condition, whenTrue, whenFalse] = value['Fn::If'];
      walk(where, whenTrue, new Set([...holding, condition]));
      return walk(where, whenFalse, holding);
    }
    for (const [key, child] of Object.entries(value)) walk(`${where}.${key}`, child, holding);
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const holding = new Set<string>(resource.Condition ? [resource.Condition] : []);
    walk(id, resource.Properties ?? {}, holding);
    for (const dependency of [resource.DependsOn ?? []].flat() as string[]) reach(`${id}.DependsOn`, dependency, holding);
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) walk(`Outputs.${id}`, output.Value, new Set(output.Condition ? [output.Condition] : []));
  return found;
}

/** Decides a condition in a partition (Fn::Equals on AWS::Partition, Fn::Not/And/Or); other inputs are refused. */
function holds(template: CfnTemplate, expression: Json, partition: string): boolean {
  if (typeof expression?.Condition === 'string') return holds(template, template.Conditions![expression.Condition], partition);
  if (expression['Fn::Not']) return !holds(template, expression['Fn::Not'][0], partition);
  if (expression['Fn::And']) return expression['Fn::And'].every((e: Json) => holds(template, e, partition));
  if (expression['Fn::Or']) return expression['Fn::Or'].some((e: Json) => holds(template, e, partition));
  const value = (v: Json) => (v?.Ref === 'AWS::Partition' ? partition : typeof v === 'string' ? v : expect.unreachable(`condition input ${JSON.stringify(v)}`));
  const [a, b] = expression['Fn::Equals'];
  return value(a) === value(b);
}

/** The template as CloudFormation would deploy it in `partition`: resources whose condition fails removed, Fn::If chosen. */
function deployedIn(template: CfnTemplate, partition: string): Record<string, Json> {
  const decided = Object.fromEntries(Object.entries(template.Conditions ?? {}).map(([id, e]) => [id, holds(template, e, partition)]));
  const choose = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(choose).filter((item) => item?.Ref !== 'AWS::NoValue');
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value['Fn::If'])) return choose(decided[value['Fn::If'][0]] ? value['Fn::If'][1] : value['Fn::If'][2]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, choose(v)]));
  };
  return Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => !r.Condition || decided[r.Condition]).map(([id, r]) => [id, choose(r)]));
}

/** Chatbot-only, by what they are: Chatbot's own types, roles only Chatbot assumes, their policies, the channel's guardrails. */
function chatbotOnly(template: CfnTemplate): string[] {
  const resources = Object.entries(template.Resources);
  const chatbotRoles = resources.filter(([, r]) => r.Type === 'AWS::IAM::Role'
    && r.Properties.AssumeRolePolicyDocument.Statement.every((s: Json) => s.Principal?.Service === 'chatbot.amazonaws.com')).map(([id]) => id);
  const rolePolicies = resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.every((role: Json) => chatbotRoles.includes(role.Ref))).map(([id]) => id);
  const guardrails = resources.filter(([, r]) => r.Type === 'AWS::Chatbot::SlackChannelConfiguration').flatMap(([, r]) => r.Properties.GuardrailPolicies.map((g: Json) => g.Ref));
  return [...resources.filter(([, r]) => r.Type.startsWith('AWS::Chatbot::')).map(([id]) => id), ...chatbotRoles, ...rolePolicies, ...guardrails];
}

describe('the dangling-reference check', () => {
  it('finds a Ref, a GetAtt, a Sub and a DependsOn to a conditioned resource outside its condition, and accepts them inside Fn::If', () => {
    const template: CfnTemplate = {
      Conditions: { Here: { 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws'] } },
      Resources: {
        Only: { Type: 'AWS::IAM::Role', Condition: 'Here', Properties: {} },
        Env: { Type: 'AWS::Lambda::Function', Properties: { A: { Ref: 'Only' }, B: { 'Fn::If': ['Here', { 'Fn::GetAtt': ['Only', 'RoleId'] }, ''] } } },
        Policy: { Type: 'AWS::IAM::Policy', DependsOn: ['Only'], Properties: { R: [{ 'Fn::GetAtt': ['Only', 'Arn'] }, { 'Fn::Sub': 'x-${Only.Arn}' }] } },
        Same: { Type: 'AWS::IAM::Policy', Condition: 'Here', Properties: { R: { Ref: 'Only' } } },
      },
      Outputs: { Role: { Value: { Ref: 'Only' } } },
    };
    expect(danglingReferences(template)).toEqual([
      'Env.A → Only (condition Here)',
      'Policy.R → Only (condition Here)',
      'Policy.R → Only (condition Here)',
      'Policy.DependsOn → Only (condition Here)',
      'Outputs.Role → Only (condition Here)',
    ]);
  });
});

describe('with a Slack channel', () => {
  const built = buildApp({ slack: true });
  const templates: Record<string, CfnTemplate> = Object.fromEntries(Object.entries({ single: built.single, hub: built.hub, member: built.member })
    .map(([name, stack]) => [name, Template.fromStack(stack).toJSON() as CfnTemplate]));

  it('no template refers to a conditioned resource where its condition may not hold', () => {
    for (const [name, template] of Object.entries(templates)) expect(danglingReferences(template), name).toEqual([]);
  });

  for (const name of ['single', 'hub'] as const) {
    it(`${name}: every Chatbot-only resource carries one condition, true in the aws partition only, and nothing else carries it`, () => {
      const template = templates[name]!;
      const only = chatbotOnly(template);
      // The channel, four buttons, the channel role, its policy and its guardrail.
      expect(only).toHaveLength(8);
      const conditions = new Set(only.map((id) => template.Resources[id].Condition));
      expect(conditions.size).toBe(1);
      const [condition] = [...conditions] as [string];
      expect(template.Conditions![condition]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws'] });
      const alsoConditioned = Object.entries(template.Resources).filter(([id, r]) => r.Condition === condition && !only.includes(id));
      expect(alsoConditioned.map(([id]) => id)).toEqual([]);
    });

    it(`${name}: deployed in aws-cn or aws-us-gov, no Chatbot resource and no value of one remain; the topic and e-mail do`, () => {
      const template = templates[name]!;
      const inAws = deployedIn(template, 'aws');
      expect(Object.values(inAws).filter((r) => r.Type.startsWith('AWS::Chatbot::'))).toHaveLength(5);
      for (const partition of ['aws-cn', 'aws-us-gov']) {
        const deployed = deployedIn(template, partition);
        expect(Object.keys(deployed).filter((id) => chatbotOnly(template).includes(id)), partition).toEqual([]);
        const text = JSON.stringify(deployed);
        for (const id of chatbotOnly(template)) expect(text, `${partition}: ${id}`).not.toContain(`"${id}"`);
        const functions = Object.values(deployed).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables.CHANNEL_ROLE_ID !== undefined);
        expect(functions.length).toBeGreaterThan(0);
        for (const fn of functions) expect(fn.Properties.Environment.Variables).toMatchObject({ CHANNEL_ROLE_ID: '', SLACK_CHANNEL: '' });
        expect(Object.values(deployed).map((r) => r.Type)).toEqual(expect.arrayContaining(['AWS::SNS::Topic', 'AWS::SNS::Subscription']));
      }
      const answerInAws = Object.values(inAws).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables.CHANNEL_ROLE_ID !== undefined);
      expect(answerInAws.Properties.Environment.Variables).toMatchObject({ CHANNEL_ROLE_ID: { 'Fn::GetAtt': [expect.stringContaining('ChannelRole'), 'RoleId'] }, SLACK_CHANNEL: 'C0123ABCD' });
    });
  }
});

describe('a region known at synth', () => {
  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['cn-southwest-9', 'aws-cn'],
  ])('in %s refuses Slack in one line naming the option and the partition %s', (region, partition) => {
    let error: unknown;
    try { buildApp({ slack: true, region }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(SlackPartitionError);
    const message = (error as Error).message;
    expect(message).toContain('slack (context slackWorkspaceId, slackChannelId)');
    expect(message).toContain(`partition ${partition} (region ${region})`);
    expect(message).not.toContain('\n');
  });

  it('in cn-north-1 without Slack synthesizes no Chatbot resource and no condition for it', () => {
    const template = Template.fromStack(buildApp({ region: 'cn-north-1' }).single).toJSON() as CfnTemplate;
    expect(Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::Chatbot::'))).toEqual([]);
    expect(template.Conditions ?? {}).toEqual({});
  });
});
