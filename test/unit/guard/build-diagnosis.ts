/** Diagnoses for guard tests. */
import type { Diagnosis, Handout, PlannedAction } from '../../../handlers/core/incident.ts';

/** Profile "app" holding role "app": not privileged, suggested by the baseline (authority is the test's configuration). */
export const APP_HANDOUT: Handout = {
  profile: 'app', role: 'app', suggestedBy: ['configuration baselineInstanceProfile'], associatedWith: [], roleTags: {}, profileTags: {}, privileged: null,
};

export function diagnosis(over: Partial<Diagnosis> = {}, subject: Partial<Diagnosis['subject']> = {}): Diagnosis {
  return {
    cause: 'no-instance-profile',
    summary: 'i-0aaa has no instance profile',
    evidence: [],
    plan: [{ type: 'associate-profile', target: 'i-0aaa1111bbbb2222c', params: { profileName: 'app' }, reason: 'baseline' }],
    subject: {
      accountId: '111122223333', region: 'eu-west-1', roleName: 'app', roleArn: 'arn:aws:iam::111122223333:role/app',
      instanceIds: ['i-0aaa1111bbbb2222c'], action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/app.json',
      ec2Delivered: true, tags: { 'iam-autoheal': 'on' },
      optIn: { tag: 'iam-autoheal=on', roles: ['app'], instanceIds: ['i-0aaa1111bbbb2222c'], launchTemplateIds: [], autoScalingGroups: [] },
      handouts: [APP_HANDOUT], ...subject,
    },
    ...over,
  };
}

export function inlineGrant(statements: Array<Record<string, unknown>>, role = 'app'): PlannedAction {
  return { type: 'put-inline-policy', target: role, params: { policyName: 'iam-autoheal-expected', document: { Version: '2012-10-17', Statement: statements } }, reason: 'declared' };
}

export function attachGrant(policyArn: string, statements: Array<Record<string, unknown>>, role = 'app'): PlannedAction {
  return { type: 'attach-policy', target: role, params: { policyArn, document: { Version: '2012-10-17', Statement: statements } }, reason: 'declared' };
}

export const NO_CHANGES_YET = { iamChangesThisHour: 0, ec2ChangesThisHour: 0 };
