/** NotifierPort on SNS: one topic; the body is plain text for email or the Chatbot custom-notification JSON string. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { NotifierPort } from '../ports.ts';
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

  async publish(message: { subject: string; body: string; attributes?: Record<string, string> }): Promise<{ messageId: string }> {
    const attributes = Object.entries(message.attributes ?? {});
    const out = await mapErrors(
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: snsSubject(message.subject),
          Message: message.body,
          ...(attributes.length
            ? { MessageAttributes: Object.fromEntries(attributes.map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }
            : {}),
        }),
      ),
    );
    return { messageId: out.MessageId ?? '' };
  }
}
