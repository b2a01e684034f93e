/** The real AWS adapters: one module per service, errors mapped in errors.ts. */
export { createAwsAccountPorts, systemClock, type AwsAccountTarget } from './account.ts';
export { AwsIamPort, decodePolicyDocument } from './iam.ts';
export { AwsEc2Port } from './ec2.ts';
export { AwsAutoScalingPort } from './auto-scaling.ts';
export { AwsStsPort } from './sts.ts';
export { AwsCloudTrailPort } from './cloudtrail.ts';
export { SnsNotifier } from './sns.ts';
export { StepFunctionsWorkflow } from './sfn.ts';
export { EventBridgeEvents, EVENT_SOURCE } from './eventbridge.ts';
export { DynamoAuditStore, AUDIT_BY_TIME_INDEX } from './dynamodb-audit.ts';
export { DynamoChangeBudget, DynamoLock } from './dynamodb-state.ts';
export { awsErrorOf, toPortError } from './errors.ts';
