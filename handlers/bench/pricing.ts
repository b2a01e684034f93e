/** List prices (us-east-1, checked 2026) and the assumptions the cost figures rest on; printed with every cost. */

export interface PriceAssumptions {
  /** Step Functions Standard workflow, per state transition. */
  usdPerStateTransition: number;
  /** Lambda, per request. */
  usdPerLambdaRequest: number;
  /** Lambda arm64, per GB-second. */
  usdPerGbSecondArm64: number;
  lambdaMemoryMb: number;
  /** Billed duration per invocation: the steps mostly wait on AWS API calls, so a round assumption. */
  assumedLambdaDurationMs: number;
  notIncluded: string[];
}

export const LIST_PRICES: PriceAssumptions = {
  usdPerStateTransition: 0.025 / 1000,
  usdPerLambdaRequest: 0.2 / 1_000_000,
  usdPerGbSecondArm64: 0.0000133334,
  lambdaMemoryMb: 256,
  assumedLambdaDurationMs: 300,
  notIncluded: [
    'SQS, EventBridge, SNS and DynamoDB requests (each well under $0.01 per 1,000 incidents)',
    'CloudWatch Logs ingestion',
    'free tiers',
  ],
};

export function describePrices(p: PriceAssumptions = LIST_PRICES): string {
  return (
    `Step Functions Standard $0.025 per 1,000 state transitions; Lambda $0.20 per 1M requests + ` +
    `$${p.usdPerGbSecondArm64} per GB-s (arm64) at ${p.lambdaMemoryMb} MB and an assumed ` +
    `${p.assumedLambdaDurationMs} ms billed per invocation. Not included: ${p.notIncluded.join('; ')}.`
  );
}

/** Dollars for one incident of `stateTransitions` transitions and `lambdaInvocations` invocations. */
export function usdPerIncident(stateTransitions: number, lambdaInvocations: number, p: PriceAssumptions = LIST_PRICES): number {
  const gbSeconds = (p.lambdaMemoryMb / 1024) * (p.assumedLambdaDurationMs / 1000);
  const perInvocation = p.usdPerLambdaRequest + gbSeconds * p.usdPerGbSecondArm64;
  return stateTransitions * p.usdPerStateTransition + lambdaInvocations * perInvocation;
}
