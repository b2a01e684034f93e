/** List prices (us-east-1, checked 2026) and the assumptions the cost figures rest on; printed with every cost. */

export interface PriceAssumptions {
  /** Step Functions Standard workflow, per state transition. */
  usdPerStateTransition: number;
  /** Lambda, per request. */
  usdPerLambdaRequest: number;
  /** Lambda arm64, per GB-second. */
  usdPerGbSecondArm64: number;
  /** Memory of each step as the CDK app sizes it (lib/steps.ts), by step name. */
  lambdaMemoryMb: Record<string, number>;
  /** Billed duration per invocation: the steps mostly wait on AWS API calls, so a round assumption. */
  assumedLambdaDurationMs: number;
  notIncluded: string[];
}

export const LIST_PRICES: PriceAssumptions = {
  usdPerStateTransition: 0.025 / 1000,
  usdPerLambdaRequest: 0.2 / 1_000_000,
  usdPerGbSecondArm64: 0.0000133334,
  lambdaMemoryMb: {},
  assumedLambdaDurationMs: 300,
  notIncluded: [
    'SQS, EventBridge, SNS and DynamoDB requests (each well under $0.01 per 1,000 incidents)',
    'CloudWatch Logs ingestion',
    'free tiers',
  ],
};

export function describePrices(p: PriceAssumptions): string {
  const memory = Object.entries(p.lambdaMemoryMb).map(([step, mb]) => `${step} ${mb}`).join(', ');
  return (
    `Step Functions Standard $0.025 per 1,000 state transitions; Lambda $0.20 per 1M requests + ` +
    `$${p.usdPerGbSecondArm64} per GB-s (arm64), memory per step as deployed (MB: ${memory}), an assumed ` +
    `${p.assumedLambdaDurationMs} ms billed per invocation. Not included: ${p.notIncluded.join('; ')}.`
  );
}

/** Dollars for one incident: its state transitions and one entry per Lambda invocation (the step invoked). */
export function usdPerIncident(stateTransitions: number, invokedSteps: string[], p: PriceAssumptions): number {
  let lambda = 0;
  for (const step of invokedSteps) {
    const memoryMb = p.lambdaMemoryMb[step];
    if (memoryMb === undefined) throw new Error(`no memory size known for step "${step}"`);
    lambda += p.usdPerLambdaRequest + (memoryMb / 1024) * (p.assumedLambdaDurationMs / 1000) * p.usdPerGbSecondArm64;
  }
  return stateTransitions * p.usdPerStateTransition + lambda;
}
