/** One workflow step as a Lambda function: local esbuild bundle, its own role, log group and settings. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The Lambda runtime; bundles are built for the same Node major. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/**
 * esbuild settings of every function (TOOLCHAIN.md): ESM with a createRequire banner for CommonJS
 * dependencies, `module` entry points first for smaller bundles, minified, with source maps.
 * The AWS SDK v3 is left to the runtime (nodejs22.x ships it); everything else is bundled.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: ['@aws-sdk/*'],
  forceDockerBundling: false,
  // Quiet synth: esbuild reports only problems.
  logLevel: LogLevel.WARNING,
};

/** Packages that must never reach a Lambda bundle (AGPL simulator, 15 MB of IAM data read from disk). */
export const NEVER_BUNDLED = ['@cloud-copilot/'] as const;

export interface AutohealFunctionProps {
  /** Absolute path of the handler module (`export const handler`). */
  entry: string;
  /** Directory holding package.json and package-lock.json. */
  projectRoot: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  /** Caps concurrent executions; protects IAM and EC2 from a storm. @default - unreserved */
  reservedConcurrentExecutions?: number;
  /** Fixed role name, for roles another account's trust policy names. @default - generated */
  roleName?: string;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class AutohealFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AutohealFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // An explicit role with exactly the log-group grant: no AWS managed policy (AWSLambdaBasicExecutionRole).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      roleName: props.roleName,
      description: `iam-autoheal ${id} step`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      bundling: LAMBDA_BUNDLING,
    });
  }
}
