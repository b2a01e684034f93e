/** The normalized view of one CloudTrail record, as `triage` prints it (CONTRACTS.md). */

export type RecordKind = 'access-denied' | 'launch' | 'change' | 'ignored';

export type DenialPolicyType =
  | 'identity-based'
  | 'resource-based'
  | 'service-control'
  | 'resource-control'
  | 'permissions-boundary'
  | 'session'
  | 'vpc-endpoint'
  | 'trust'
  | null;

export interface Principal {
  roleName: string | null;
  /** Role ARN from sessionContext.sessionIssuer, with its path. */
  roleArn: string | null;
  instanceId: string | null;
  accountId: string | null;
  /** userIdentity.type as recorded (AssumedRole, IAMUser, Root, AWSService, …). */
  type?: string | null;
  /** sessionContext.ec2RoleDelivery ("1.0" | "2.0") when EC2 delivered the credentials. */
  ec2RoleDelivery?: string | null;
  /** Role session name (the instance id for instance-role sessions), or the IAM user name. */
  sessionName?: string | null;
}

export interface Denial {
  /** true: "with an explicit deny in …"; false: "because no … allows"; null: the message does not say. */
  explicit: boolean | null;
  policyType: DenialPolicyType;
  /** The EC2 "Encoded authorization failure message" is present (decode later through STS). */
  encodedMessage: boolean;
  /** The encoded blob, when present (possibly truncated by CloudTrail). */
  encoded?: string | null;
  /** The blob was cut (CloudTrail caps errorMessage at about 1 KB, sometimes ending in "..."). */
  encodedTruncated?: boolean;
  /** ARN of the policy named after "…: arn:…", when given. */
  policyArn?: string | null;
  errorCode?: string | null;
  message?: string | null;
  /** The action named by "is not authorized to perform: X", when the message names one. */
  action?: string | null;
  /** The resource named by "on resource: Y" (quotes removed), when the message names one. */
  resource?: string | null;
  /** "… in a VPC endpoint policy transitively through a service control policy": the policy the request went through. */
  via?: DenialPolicyType;
  /** The VPC endpoint the call went through (`vpcEndpointId`), and the account that owns it, when the record says. */
  vpcEndpointId?: string | null;
  vpcEndpointAccountId?: string | null;
  /** A CloudTrail network activity event (`eventCategory` NetworkActivity): a call through a VPC endpoint. */
  networkActivity?: boolean;
}

export interface LaunchTemplateRef {
  launchTemplateId?: string | null;
  launchTemplateName?: string | null;
  version?: string | null;
}

export interface Launch {
  instanceIds: string[];
  /** Name or ARN as the request (or, failing that, the response) gave it; null when none. */
  instanceProfile: string | null;
  launchTemplate: LaunchTemplateRef | null;
  viaAutoScaling: boolean;
  /** Auto Scaling group, from the aws:autoscaling:groupName tag of the request or the response. */
  autoScalingGroup?: string | null;
}

export type ChangedResourceType =
  | 'role-trust'
  | 'role-policy'
  | 'instance-profile'
  | 'profile-association'
  | 'launch-template'
  | 'auto-scaling-group'
  | 'managed-policy';

export interface Change {
  /** What changed, e.g. role-trust for UpdateAssumeRolePolicy. */
  resourceType: ChangedResourceType;
  /** Role name, profile name, instance id, launch template id/name, or ASG name. */
  resource: string | null;
  /** Secondary identifiers: policy ARN or inline policy name, association id, … */
  detail?: Record<string, string | null>;
  /** true when the change can break an instance role (detach, delete, disassociate, remove, …). */
  breaking: boolean;
}

export interface Classification {
  eventId: string | null;
  /**
   * The account that recorded the event (recipientAccountId, or the EventBridge envelope's account), validated:
   * the incident's account. Null when the record names none or a malformed one. Absent in the sweep's own triggers.
   */
  accountId?: string | null;
  /** Why the record must never start anything (forged or foreign envelope, malformed or foreign account), or null. */
  rejection?: string | null;
  eventName: string | null;
  eventSource: string | null;
  eventTime: string | null;
  region: string | null;
  kind: RecordKind;
  reason: string;
  principal: Principal;
  /** IAM action, `prefix:Action`. */
  action: string | null;
  resource: string | null;
  denial: Denial | null;
  launch: Launch | null;
  change: Change | null;
}
