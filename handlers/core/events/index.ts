/** The event model: CloudTrail records in, triage classifications and incident keys out. Pure: no SDK. */
export type {
  Change,
  ChangedResourceType,
  Classification,
  Denial,
  DenialPolicyType,
  Launch,
  LaunchTemplateRef,
  Principal,
  RecordKind,
} from './model.ts';
export { CLOUDTRAIL_DETAIL_TYPES, EventInputError, extractDelivered, extractRecords } from './records.ts';
export type { CloudTrailRecord, DeliveredRecord, Envelope, SessionIssuer, UserIdentity } from './records.ts';
export { isAccountId } from './origin.ts';
export { classify, classifyDelivered, isAuthorizationFailure, isDryRun } from './classify.ts';
export { parseDenialMessage } from './denial-message.ts';
export { iamActionFor, iamPrefixFor, isIamServicePrefix } from './iam-action.ts';
export { incidentKey, executionNameFor } from './incident-key.ts';
export { normalizeEventTime } from './event-time.ts';
export { isInstanceId } from './principal.ts';
