/** One workflow step as a Lambda function: local esbuild bundle (lib/lambda-bundle.ts), its own role, log group and settings. */
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The Lambda runtime; bundles are built for the same Node major (`LAMBDA_NODE_TARGET`). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

const BUNDLER = fileURLToPath(new URL('../scripts/bundle-lambda.ts', import.meta.url));

/**
 * The step's code: its handler bundled by lib/lambda-bundle.ts at synth, locally (no Docker), in a child process
 * (CDK's local bundling is synchronous; the bundler's esbuild plugin needs esbuild's asynchronous API).
 * Skipped like any bundling when the stack is not being bundled (tests: context `aws:cdk:bundling-stacks: []`).
 */
export function stepCode(entry: string, projectRoot: string): Code {
  const relativeEntry = relative(projectRoot, entry);
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling either succeeds or throws. Named so that a reader knows what it would stand for.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      // Part of the asset cache key: one bundle per entry, shared by the stacks of one synth.
      command: ['bundle-lambda', relativeEntry],
      local: {
        tryBundle(outputDir: string): boolean {
          const run = spawnSync(process.execPath, ['--import', 'tsx', BUNDLER, entry, outputDir], { cwd: projectRoot, encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`bundling ${relativeEntry} failed: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}`);
          return true;
        },
      },
    },
  });
}

/**
 * Where the steps run when they must run in a VPC (CT.LAMBDA.PR.3): given subnets and security groups, by id.
 * The subnets need a way to every service a step calls (docs/DEPLOY.md "Control Tower": VPC endpoints, or a NAT gateway).
 */
export interface VpcPlacement {
  /** Private subnets, ideally in two or more Availability Zones. */
  readonly subnetIds: readonly string[];
  /** Security groups of the functions' network interfaces: HTTPS (443) out to the endpoints is all they need. */
  readonly securityGroupIds: readonly string[];
}

export interface AutohealFunctionProps {
  /** Absolute path of the handler module (`export const handler`). */
  entry: string;
  /** The project's root (node_modules, scripts/bundle-lambda.ts); the entry lies under it. */
  projectRoot: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  /** Caps concurrent executions; protects IAM and EC2 from a storm. @default - unreserved */
  reservedConcurrentExecutions?: number;
  /** Fixed role name, for roles another account's trust policy names. @default - generated */
  roleName?: string;
  logRetention: RetentionDays;
  /** Customer-managed key of the log group (its policy must let CloudWatch Logs use it). @default - CloudWatch Logs' own encryption */
  logKey?: IKey;
  /** Run in these subnets and security groups. @default - outside any VPC */
  vpc?: VpcPlacement;
  removalPolicy: RemovalPolicy;
}

export class AutohealFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AutohealFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logKey, removalPolicy: props.removalPolicy });
    // An explicit role with exactly the log-group grant: no AWS managed policy (AWSLambdaBasicExecutionRole).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      roleName: props.roleName,
      description: `iam-autoheal ${id} step`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new LambdaFunction(this, 'Function', {
      code: stepCode(props.entry, props.projectRoot),
      handler: 'index.handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
    if (props.vpc) this.placeInVpc(props.vpc);
  }

  /**
   * VpcConfig by id (no VPC lookup: synth stays offline) and the network-interface permissions Lambda uses the
   * function's role for (those of AWSLambdaVPCAccessExecutionRole, without its log permissions, inline).
   */
  private placeInVpc(vpc: VpcPlacement): void {
    if (vpc.subnetIds.length === 0 || vpc.securityGroupIds.length === 0) {
      throw new VpcPlacementError('vpc: give at least one subnet id and one security group id');
    }
    (this.function.node.defaultChild as CfnFunction).vpcConfig = { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] };
    const { partition, region, account } = Stack.of(this);
    // Lambda documents that DescribeNetworkInterfaces works only on "*"; DescribeSubnets has no resource type.
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...ENI_DESCRIBE_ACTIONS], resources: ['*'] }));
    this.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      // The interfaces Lambda creates are not known in advance; Lambda's guide gives this account-wide form for DeleteNetworkInterface.
      resources: [`arn:${partition}:ec2:${region}:${account}:*/*`],
    }));
  }
}

/** What Lambda needs on "*" to manage a function's network interfaces. */
export const ENI_DESCRIBE_ACTIONS = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'] as const;

export class VpcPlacementError extends Error {
  override readonly name = 'VpcPlacementError' as const;
}
