// The service bus: outcome events only from the workflow's own role, whoever else may put events on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OUTCOME_DETAIL_TYPE, OUTCOME_SOURCE } from '../../lib/event-bus-policy.ts';
import { buildApp } from './app-fixture.ts';

const { single, hub } = buildApp();

function busStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::Events::EventBusPolicy')).map((p: any) => p.Properties.Statement);
}

function workflowRoleLogicalId(template: Template): string {
  const [id] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, role]: [string, any]) =>
    JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('states.amazonaws.com'))!;
  return id;
}

describe.each([['single account', single], ['hub', hub]] as const)('%s bus', (_, stack) => {
  const template = Template.fromStack(stack);
  const statements = busStatements(template);

  it.each([['events:source', OUTCOME_SOURCE], ['events:detail-type', OUTCOME_DETAIL_TYPE]])('denies every principal but the workflow role putting events with %s "%s"', (key, value) => {
    const deny = statements.find((s) => s.Effect === 'Deny' && s.Condition?.StringEquals?.[key] === value);
    expect(deny).toMatchObject({ Principal: { AWS: '*' }, Action: 'events:PutEvents' });
    expect(deny.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual({ 'Fn::GetAtt': [workflowRoleLogicalId(template), 'Arn'] });
  });
});

describe('outcome events', () => {
  it('are put by the workflow with the source and detail-type the bus policy reserves', () => {
    const asl = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'statemachines', 'remediate.asl.json'), 'utf8'));
    const entries = Object.values(asl.States as Record<string, any>)
      .filter((state) => String(state.Resource).endsWith(':states:::events:putEvents'))
      .flatMap((state) => state.Parameters.Entries);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry).toMatchObject({ Source: OUTCOME_SOURCE, DetailType: OUTCOME_DETAIL_TYPE });
  });
});
