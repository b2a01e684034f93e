/** A least-privilege statement (the exact action and resource denied) for a human to review: never applied. */
import { writesNothing, type Remediation } from './types.ts';

export const proposePolicy: Remediation = {
  type: 'propose-policy',
  causes: ['missing-permission'],
  description: 'Propose a least-privilege statement for a human; nothing is written.',
  appliesTo: ['role:statement-missing'],
  ...writesNothing,

  async apply(_ports, action) {
    const statement = action.params.statement ?? null;
    return {
      result: 'proposed',
      before: null,
      after: { Version: '2012-10-17', Statement: [statement] },
      detail: `proposed for ${action.target}, not applied: ${JSON.stringify(statement)}`,
      writes: { iam: 0, ec2: 0 },
    };
  },

  async undo() {
    return 'a proposal changes nothing; nothing to undo';
  },
};
