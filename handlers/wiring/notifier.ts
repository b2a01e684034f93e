/** The SNS notifier, created on first use and kept for the container's life. */
import { SnsNotifier } from '../adapters/aws/sns.ts';
import { required } from './variables.ts';

let notifier: SnsNotifier | undefined;

export function snsNotifier(): SnsNotifier {
  return (notifier ??= new SnsNotifier({ topicArn: required('TOPIC_ARN') }));
}
