// AwsSolutions checks: zero unacknowledged findings, and the acknowledgements do not hide new problems.
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { REMEDIATIONS } from '../../handlers/core/remediations/index.ts';
import { buildApp } from './app-fixture.ts';

/** Synthesizes first (acknowledgements of wildcards are made at synthesis), then runs the pack. */
function findings(app: ReturnType<typeof buildApp>['app']) {
  app.synth();
  return new AwsSolutionsChecks(app).validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
}

function acknowledgements(app: ReturnType<typeof buildApp>['app']) {
  return app.node
    .findAll()
    .flatMap((node) => node.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((entry) => Object.entries(entry.data as Record<string, { reason?: string } | string>));
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the single-account, hub and member stacks (with Slack)', () => {
    expect(findings(buildApp({ slack: true }).app)).toEqual([]);
  });

  it('finds nothing unacknowledged with the project\'s handlers, workflow and remediation catalog', () => {
    expect(findings(buildApp({ realProject: true, remediations: REMEDIATIONS }).app)).toEqual([]);
  });

  it('finds nothing unacknowledged with the steps in a VPC (network-interface permissions)', () => {
    const vpc = { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
    expect(findings(buildApp({ service: { vpc } }).app)).toEqual([]);
  });

  it('gives every acknowledgement a reason of substance', () => {
    const { app } = buildApp();
    app.synth();
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, value] of acks) {
      const reason = typeof value === 'string' ? value : JSON.stringify(value);
      expect(reason.length, id).toBeGreaterThan(60);
    }
  });

  it('still reports wildcards added after construction, also next to acknowledged reads on "*"', () => {
    const built = buildApp();
    const { guard, apply } = built.single.service.functions;
    guard.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['iam:PutRolePolicy'], resources: ['*'] }));
    apply.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['iam:PutRolePolicy'], resources: ['*'] }));
    apply.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ec2:*'], resources: ['arn:aws:ec2:eu-west-1:111122223333:instance/i-1'] }));
    expect(findings(built.app).sort()).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Action::ec2:\*\] .*Apply\/Role/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] .*Apply\/Role/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] .*Guard\/Role/),
    ]);
  });
});
