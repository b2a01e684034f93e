/** No change: the state machine's Wait state lets IAM propagate or throttling subside, then Verify runs. */
import { writesNothing, type Remediation } from './types.ts';

export const wait: Remediation = {
  type: 'wait',
  causes: ['propagation-delay', 'throttling'],
  description: 'Change nothing; wait (with backoff) and verify again.',
  appliesTo: ['any'],
  ...writesNothing,

  async apply(_ports, action) {
    const seconds = Number(action.params.seconds ?? 0);
    return { result: 'done', before: null, after: { seconds }, detail: `no change; waiting ${seconds}s before verifying`, writes: { iam: 0, ec2: 0 } };
  },

  async undo() {
    return 'waiting changes nothing; nothing to undo';
  },
};
