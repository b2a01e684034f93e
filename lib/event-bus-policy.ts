/**
 * Who may put what on the service's bus. Outcome events (source `iam-autoheal`) are the service's word to
 * dashboards and ticketing: only the workflow's own role may put them. Whoever else may put events on the
 * bus (the organization, in a hub) can still forward CloudTrail events, never an outcome.
 */
import { AnyPrincipal, Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { EventBus } from 'aws-cdk-lib/aws-events';

/** What the workflow's PublishOutcome state puts (statemachines/remediate.asl.json). */
export const OUTCOME_SOURCE = 'iam-autoheal';
export const OUTCOME_DETAIL_TYPE = 'IAM Autoheal Incident Outcome';

/**
 * Denies putting an event with the outcome's source or detail-type to every principal but `publisher`.
 * `events:source` and `events:detail-type` are in the request context of PutEvents; where a key is absent
 * (nothing names that source), StringEquals is false and the Deny does not apply.
 */
export function denyForgedOutcomes(bus: EventBus, publisher: IRole): void {
  const deny = (sid: string, key: string, value: string) => new PolicyStatement({
    sid,
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { StringEquals: { [key]: value }, ArnNotEquals: { 'aws:PrincipalArn': publisher.roleArn } },
  });
  bus.addToResourcePolicy(deny('OnlyTheWorkflowPutsOutcomeSource', 'events:source', OUTCOME_SOURCE));
  bus.addToResourcePolicy(deny('OnlyTheWorkflowPutsOutcomeDetailType', 'events:detail-type', OUTCOME_DETAIL_TYPE));
}
