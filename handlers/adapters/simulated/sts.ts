/** StsPort of the simulated account: encoded EC2 messages decode to what the scenario declares. */
import type { StsPort } from '../../core/ports.ts';
import type { CallGate } from './call-gate.ts';
import type { AccountState } from './state.ts';

export class SimulatedSts implements StsPort {
  constructor(private readonly state: AccountState, private readonly gate: CallGate) {}

  decodeAuthorizationMessage(encoded: string): Promise<Record<string, unknown> | null> {
    return this.gate.call('DecodeAuthorizationMessage', 'sts', () => {
      // A message CloudTrail cut short (or one the scenario does not know) cannot be decoded, as in AWS.
      const decoded = this.state.encodedMessages?.[encoded.trim()];
      return decoded ? structuredClone(decoded) : null;
    });
  }

  /** The simulated account's own credentials. */
  callerIdentity(): Promise<{ accountId: string; arn: string }> {
    return this.gate.call('GetCallerIdentity', 'sts', () => ({ accountId: this.state.accountId, arn: `arn:${this.state.partition}:iam::${this.state.accountId}:root` }));
  }
}
