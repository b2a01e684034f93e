/** A small simulated account for remediation tests: role "app" in profile "app", role "reader" in "reader". */
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import type { PlannedAction } from '../../../handlers/core/incident.ts';
import { EC2_TRUST, INSTANCE, READ_CONFIG, scenario } from '../../scenarios/causes/harness.ts';

export { INSTANCE };

type Json = Record<string, unknown>;

export function account(change: Json = {}, physics: Json = {}): SimulatedAccount {
  return new SimulatedAccount(
    scenario(
      {
        instanceProfiles: [{ name: 'app', roles: ['app'] }, { name: 'reader', roles: ['reader'] }, { name: 'empty', roles: [] }],
        instances: [{ id: INSTANCE, state: 'running', instanceProfile: null }],
        ...change,
        // A test that replaces "app" keeps "reader", which the profiles above need.
        roles: [...((change.roles as Json[] | undefined) ?? [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-config': READ_CONFIG } }]), { name: 'reader', trustPolicy: EC2_TRUST }],
      },
      {},
      physics,
    ),
  );
}

export function action(type: PlannedAction['type'], target: string, params: Record<string, unknown> = {}): PlannedAction {
  return { type, target, params, reason: 'test' };
}
