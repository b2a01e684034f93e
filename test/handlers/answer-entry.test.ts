/** The answer Lambda's entry: who sent a button's message is what SQS authenticated, labelled when it is the Slack channel's role. */
import { describe, expect, it } from 'vitest';
import { callerOf } from '../../handlers/answer.ts';

const env = { CHANNEL_ROLE_ID: 'AROAEXAMPLECHANNEL01', SLACK_CHANNEL: 'C0123ABCD' } as NodeJS.ProcessEnv;

describe('callerOf', () => {
  it('labels the Slack channel when the sender is the Chatbot channel role, keeping the SQS identity', () => {
    const caller = callerOf({ messageId: 'm-1', attributes: { SenderId: 'AROAEXAMPLECHANNEL01:AWSChatbot-session' } as never }, env);
    expect(caller).toMatchObject({ identity: 'AROAEXAMPLECHANNEL01:AWSChatbot-session', authenticatedBy: 'sqs SenderId', label: 'Slack channel C0123ABCD (AWS Chatbot channel role)', requestId: 'm-1' });
  });

  it('records any other sender as the id SQS gives, with no label', () => {
    const caller = callerOf({ messageId: 'm-2', attributes: { SenderId: 'AROAOTHERROLE0000001:alice' } as never }, env);
    expect(caller.identity).toBe('AROAOTHERROLE0000001:alice');
    expect(caller.label).toBeUndefined();
  });

  it('refuses a message without SenderId: who sent it is unknown', () => {
    expect(() => callerOf({ messageId: 'm-3', attributes: {} as never }, env)).toThrow(/no SenderId/);
  });
});
