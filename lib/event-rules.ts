/** The three EventBridge rules of the flow, on any bus, towards any target. */
import { CfnRule, Rule, type IEventBus, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { RULE_PATTERNS, type RuleName } from './event-patterns.ts';

/** Rule state that also delivers read-only management events (Describe/Get/List denials). */
export const ALL_MANAGEMENT_EVENTS_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

const DESCRIPTIONS: Record<RuleName, string> = {
  instanceRoleDenial: 'iam-autoheal: calls denied to EC2 instance-role sessions whose credentials EC2 delivered',
  launch: 'iam-autoheal: successful RunInstances (every instance must have a working role)',
  drift: 'iam-autoheal: changes to roles, profiles, associations, launch templates and Auto Scaling groups',
};

export interface AutohealRulesProps {
  /** @default - the account's default bus, where CloudTrail delivers */
  eventBus?: IEventBus;
  target: IRuleTarget;
  /**
   * Whether the rules see CloudTrail directly (the default bus): the denial rule then needs the
   * state that delivers read-only management events. Forwarded events on a custom bus need not.
   */
  cloudTrailSource: boolean;
}

export class AutohealRules extends Construct {
  readonly rules: Record<RuleName, Rule>;

  constructor(scope: Construct, id: string, props: AutohealRulesProps) {
    super(scope, id);
    const rule = (name: RuleName) =>
      new Rule(this, name[0]!.toUpperCase() + name.slice(1), {
        eventBus: props.eventBus,
        eventPattern: RULE_PATTERNS[name] as never,
        description: DESCRIPTIONS[name],
        targets: [props.target],
      });
    this.rules = { instanceRoleDenial: rule('instanceRoleDenial'), launch: rule('launch'), drift: rule('drift') };
    if (props.cloudTrailSource) {
      // The L2 Rule knows only ENABLED/DISABLED: set the CloudFormation state directly.
      (this.rules.instanceRoleDenial.node.defaultChild as CfnRule).state = ALL_MANAGEMENT_EVENTS_STATE;
    }
  }
}
