/**
 * AWS Control Tower proactive controls at synth: the CloudFormation Guard rules Control Tower runs as hooks
 * (`@cdklabs/cdk-validator-cfnguard`, which ships them with the cfn-guard binary), as a CDK policy-validation
 * plugin. A violation fails `cdk synth` with the control, the resource and its construct path. The few
 * controls that are a deployment choice rather than a defect are acknowledged where they apply, with the
 * reason (docs/DEPLOY.md "Control Tower").
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Validations, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The plugin's name, which is also the namespace of its rule ids in acknowledgements. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/** The Guard rule behind each control this service meets or acknowledges (the name the plugin reports). */
export const CONTROL_RULES = {
  'CT.CLOUDWATCH.PR.2': 'cloudwatch_log_group_retention_period_check',
  'CT.CLOUDWATCH.PR.3': 'cloudwatch_log_group_encrypted_check',
  'CT.KMS.PR.3': 'kms_create_grant_aws_service_check',
  'CT.LAMBDA.PR.3': 'lambda_inside_vpc_check',
  'CT.SQS.PR.1': 'sqs_dlq_check',
} as const;

export type ControlId = keyof typeof CONTROL_RULES;

/** CT.CLOUDWATCH.PR.2: log groups kept at least this long (or never expiring). */
export const MIN_LOG_RETENTION_DAYS = 365;

/**
 * Every Control Tower proactive control the package bundles (CT.*.PR.*), none disabled. Its violations are
 * marked `error`: the package leaves their severity unset, and once any finding of the report is acknowledged
 * the CDK re-judges the report by severity, so unset would let every other violation pass synth.
 */
export class ControlTowerChecks implements IPolicyValidationPlugin {
  readonly name = CONTROL_TOWER_PLUGIN;
  readonly version: string;
  readonly ruleIds: string[];
  private readonly guard: CfnGuardValidator;

  /** @param only just these controls (tests: the same rule files and binary, a fraction of the time) @default every bundled control */
  constructor(only?: readonly ControlId[]) {
    this.guard = only ? new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: only.map(controlRuleFile) }) : new CfnGuardValidator({ controlTowerRulesEnabled: true });
    this.version = this.guard.version ?? '0.0.0';
    this.ruleIds = this.guard.ruleIds ?? [];
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.guard.validate(context);
    return { ...report, violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity ?? 'error' })) };
  }
}

export function controlTowerChecks(): ControlTowerChecks {
  return new ControlTowerChecks();
}

/** The package's Guard file of a control: `CT.KMS.PR.3` → `rules/control-tower/cfn-guard/<service>/ct-kms-pr-3.guard`. */
export function controlRuleFile(control: ControlId): string {
  const root = join(dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
  const file = `${control.toLowerCase().replace(/\./g, '-')}.guard`;
  const service = readdirSync(root).find((dir) => existsSync(join(root, dir, file)));
  if (!service) throw new Error(`no Guard rule ${file} in ${root}`);
  return join(root, service, file);
}

/** Accepts one control's finding on `scope` and below; the reason starts with the control id so that reports and reviews read it. */
export function acknowledgeControl(scope: IConstruct, control: ControlId, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CONTROL_TOWER_PLUGIN}::${CONTROL_RULES[control]}`, reason: `${control}: ${reason}` });
}
