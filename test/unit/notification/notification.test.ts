import { describe, expect, it } from 'vitest';
import type { Diagnosis, GuardDecision, Incident } from '../../../handlers/core/incident.ts';
import { buildNotification, describeDenial, executionLinkFor, type NotificationInput } from '../../../handlers/core/notification.ts';

const incident: Incident = {
  key: 'deny-111122223333-eu-west-1-app-s3-abc123',
  accountId: '111122223333',
  region: 'eu-west-1',
  kind: 'access-denied',
  trigger: {
    eventId: 'e-1', eventName: 'GetObject', eventSource: 's3.amazonaws.com', eventTime: '2026-10-01T10:00:00Z', region: 'eu-west-1',
    kind: 'access-denied', reason: 'instance role denied',
    principal: { roleName: 'app', roleArn: 'arn:aws:iam::111122223333:role/app', instanceId: 'i-0aaa', accountId: '111122223333', ec2RoleDelivery: '2.0' },
    action: 's3:GetObject', resource: 'arn:aws:s3:::config/app.json',
    denial: { explicit: false, policyType: 'identity-based', encodedMessage: false }, launch: null, change: null,
  },
  instanceIds: ['i-0aaa', 'i-0bbb', 'i-0ccc'],
  actions: ['s3:GetObject'],
  eventCount: 250,
  firstSeen: '2026-10-01T10:00:00Z',
  lastSeen: '2026-10-01T10:01:00Z',
  recentChanges: [],
};

const diagnosis: Diagnosis = {
  cause: 'missing-permission',
  summary: 'no identity-based policy of app allows s3:GetObject',
  evidence: [
    { kind: 'simulation', summary: 'SimulatePrincipalPolicy s3:GetObject: implicitDeny' },
    { kind: 'recent change', summary: 'DetachRolePolicy app-read from app 3 minutes ago' },
  ],
  plan: [{ type: 'attach-policy', target: 'app', params: { policyArn: 'arn:aws:iam::111122223333:policy/app-read' }, reason: 'declared in expectedPermissions' }],
  subject: {
    accountId: '111122223333', region: 'eu-west-1', roleName: 'app', roleArn: 'arn:aws:iam::111122223333:role/app',
    instanceIds: ['i-0aaa'], action: 's3:GetObject', resource: 'arn:aws:s3:::config/app.json', ec2Delivered: true, tags: {},
  },
};

const decision: GuardDecision = { verdict: 'apply', mode: 'auto', reason: 'auto mode', allowed: diagnosis.plan, refused: [], deferred: [] };
const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:iam-autoheal-remediate:deny-app-20261001T1000';

function input(overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    incident, status: 'fixed', diagnosis, decision,
    actions: [{ type: 'attach-policy', target: 'app', result: 'done', detail: 'attached app-read' }],
    reason: 'verified after 6s of waiting', executionName: 'deny-app-20261001T1000', executionLink: executionLinkFor(EXECUTION),
    ...overrides,
  };
}

describe('buildNotification', () => {
  it('is an AWS Chatbot custom notification threaded on the incident key', () => {
    const { chatbot } = buildNotification(input());
    expect(chatbot.version).toBe('1.0');
    expect(chatbot.source).toBe('custom');
    expect(chatbot.metadata.threadId).toBe(incident.key);
    expect(chatbot.content.title).toContain('missing-permission');
    expect(chatbot.content.nextSteps.length).toBeGreaterThan(0);
  });

  it('says what was denied, the cause, the evidence, what was done, how to undo, and links the execution', () => {
    const { chatbot, email } = buildNotification(input());
    for (const text of [chatbot.content.description + chatbot.content.nextSteps.join('\n'), email]) {
      expect(text).toContain('s3:GetObject');
      expect(text).toContain('250 denied calls from 3 instances');
      expect(text).toContain('no identity-based policy of app allows s3:GetObject');
      expect(text).toContain('DetachRolePolicy app-read from app 3 minutes ago');
      expect(text).toContain('done: attach-policy app');
      expect(text).toContain(`iam-autoheal undo ${incident.key}`);
      expect(text).toContain(`https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION}`);
    }
  });

  it('proposes without offering an undo when nothing was changed', () => {
    const { email } = buildNotification(input({ status: 'observed', actions: [], reason: 'observe mode' }));
    expect(email).toContain('proposed (not applied): attach-policy app');
    expect(email).not.toContain('iam-autoheal undo');
  });

  it('for an approval request, names the approval id (never a task token), how to answer, and when it expires', () => {
    const { chatbot, email, subject } = buildNotification(input({
      status: 'awaiting-approval', actions: [], approval: { approvalId: 'ap-0123456789', expiresAt: '2026-10-02T10:00:00.000Z' },
      answerQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/answers',
    }));
    expect(subject).toContain('approval needed');
    expect(email).toContain('proposed: attach-policy app');
    const steps = chatbot.content.nextSteps.join('\n');
    expect(steps).toContain('approval ap-0123456789');
    expect(steps).toContain(`iam-autoheal approve ${incident.key}`);
    expect(steps).toContain(`iam-autoheal reject ${incident.key}`);
    expect(`${steps}\n${email}`).not.toMatch(/send-task-success|task-token/);
    expect(steps).toContain('2026-10-02T10:00:00.000Z');
    expect(chatbot.metadata.eventType).toBe('ApprovalRequested');
    // What the Approve and Reject buttons read: the incident, the approval id and the queue; no Undo on a request.
    expect(chatbot.metadata.additionalContext).toMatchObject({ incident: incident.key, approval: 'ap-0123456789', queue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/answers' });
    expect(chatbot.metadata.additionalContext['undo']).toBeUndefined();
  });

  it('offers Undo (variable undo=yes) only on a message that reports changes made', () => {
    const fixed = buildNotification(input({ status: 'fixed' }));
    expect(fixed.chatbot.metadata.additionalContext['undo']).toBe('yes');
    expect(fixed.chatbot.metadata.additionalContext['approval']).toBeUndefined();
    const observed = buildNotification(input({ status: 'observed', actions: [], reason: 'observe mode' }));
    expect(observed.chatbot.metadata.additionalContext['undo']).toBeUndefined();
  });

  it('shows the proposed least-privilege statement of an escalated proposal, in Slack and in the email', () => {
    const statement = { Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:eu-west-1:111122223333:ready' };
    const proposal = { ...diagnosis, plan: [{ type: 'propose-policy' as const, target: 'app', params: { statement }, reason: 'nothing declared covers sns:Publish' }] };
    // The guard escalates a proposal and lets nothing through: the statement comes from the diagnosis.
    const escalated: GuardDecision = { verdict: 'escalate', mode: 'auto', reason: 'a least-privilege statement is proposed', allowed: [], refused: [], deferred: [] };
    const { chatbot, email } = buildNotification(input({ status: 'escalated', diagnosis: proposal, decision: escalated, actions: [] }));
    const pretty = JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2);
    expect(chatbot.content.description).toContain(`*Proposed statement for role app (never applied):*\n\`\`\`\n${pretty}\n\`\`\``);
    expect(chatbot.content.nextSteps.some((s) => s.includes('proposed statement for role app'))).toBe(true);
    expect(email).toContain('Proposed statement for role app (never applied):');
    expect(email).toContain('        "Action": "sns:Publish",');
    expect(email).toContain('"Resource": "arn:aws:sns:eu-west-1:111122223333:ready"');
    // A proposal the guard refused (never-grant) is not offered for review.
    const refused: GuardDecision = { ...escalated, refused: [{ action: proposal.plan[0]!, reason: 'not even proposed: never-grant' }] };
    const none = buildNotification(input({ status: 'escalated', diagnosis: proposal, decision: refused, actions: [] }));
    expect(none.email).not.toContain('Proposed statement');
    expect(none.chatbot.content.description).not.toContain('Proposed statement');
  });

  it('names the first 20 actions of a large fix and counts the rest', () => {
    const actions = Array.from({ length: 200 }, (_, i) => ({ type: 'associate-profile' as const, target: `i-${i}`, result: 'done' as const }));
    const { chatbot, email } = buildNotification(input({ actions }));
    expect(chatbot.content.description).toContain('• done: associate-profile i-19\n• … and 180 more in the audit trail');
    expect(chatbot.content.description).not.toContain('i-20');
    expect(email).toContain('  - … and 180 more in the audit trail');
  });

  it('names the owner to talk to for an escalation', () => {
    const { email } = buildNotification(input({
      status: 'escalated', actions: [], diagnosis: { ...diagnosis, cause: 'organization-policy', plan: [], owner: 'the organization administrators (SCP)' },
    }));
    expect(email).toContain('Talk to: the organization administrators (SCP)');
  });
});

describe('describeDenial', () => {
  it('describes a launch incident as instances without a working role', () => {
    const launch: Incident = { ...incident, kind: 'launch', instanceIds: ['i-0aaa'], trigger: { ...incident.trigger, eventName: 'RunInstances' } };
    expect(describeDenial(launch)).toBe('instance i-0aaa launched in 111122223333/eu-west-1 (RunInstances) without a working instance role');
  });
});

describe('describeDenial of a sweep', () => {
  it('says what the sweep found, not a denied call', () => {
    const sweep: Incident = {
      ...incident, kind: 'sweep', instanceIds: ['i-0aaa', 'i-0bbb'], eventCount: 0, actions: [],
      trigger: { ...incident.trigger, kind: 'launch', eventName: 'Sweep', action: null, reason: 'scheduled sweep: role app of profile app does not let ec2.amazonaws.com assume it' },
    };
    expect(describeDenial(sweep)).toBe('scheduled sweep: role app of profile app does not let ec2.amazonaws.com assume it (2 instances in 111122223333/eu-west-1)');
  });
});

describe('executionLinkFor', () => {
  it('gives no link without an execution ARN', () => {
    expect(executionLinkFor('local-name')).toBeNull();
    expect(executionLinkFor(null)).toBeNull();
  });
});
