/**
 * NotifierPort on SNS: one topic. The body (Chatbot custom-notification JSON) goes to every protocol; with an
 * email body, the message is published with MessageStructure "json" so email subscribers get plain text.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { NotifierPort } from '../../core/ports.ts';
import { awsClient, regionOfArn } from './clients.ts';
import { mapErrors } from './errors.ts';

// SNS rejects subjects that are empty, longer than 100 characters or contain line breaks.
const SUBJECT_MAX = 100;

export function snsSubject(subject: string): string {
  const oneLine = subject.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7E]/g, '?').trim() || 'iam-autoheal';
  return oneLine.length <= SUBJECT_MAX ? oneLine : `${oneLine.slice(0, SUBJECT_MAX - 3)}...`;
}

export class SnsNotifier implements NotifierPort {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: { topicArn: string; client?: SNSClient }) {
    this.topicArn = options.topicArn;
    this.client = options.client ?? awsClient(SNSClient, regionOfArn(options.topicArn));
  }

  async publish(message: { subject: string; body: string; email?: string; attributes?: Record<string, string> }): Promise<{ messageId: string }> {
    const attributes = Object.entries(message.attributes ?? {});
    const out = await mapErrors(
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: snsSubject(message.subject),
          ...messageFor(message.body, message.email),
          ...(attributes.length
            ? { MessageAttributes: Object.fromEntries(attributes.map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }
            : {}),
        }),
      ),
    );
    return { messageId: out.MessageId ?? '' };
  }
}

/**
 * SNS picks each subscription's message by protocol, falling back to "default". Chatbot subscribes over
 * HTTPS and must get the custom-notification JSON; email-json (read by programs) keeps it too, through "default".
 */
export function messageFor(body: string, email: string | undefined): { Message: string; MessageStructure?: 'json' } {
  if (!email) return { Message: body };
  return { Message: JSON.stringify({ default: body, https: body, email }), MessageStructure: 'json' };
}
