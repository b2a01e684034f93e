/** Puts the expected role into an instance profile that holds none (a profile holds at most one role). */
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import { ARN, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
import type { Before, Remediation } from './types.ts';

const rolesOf = (state: Before) => (state['roles'] ?? null) as string[] | null;

export const addRoleToProfile: Remediation = {
  type: 'add-role-to-profile',
  causes: ['profile-without-role'],
  description: 'Add the expected role to an empty instance profile.',
  permissions: [
    { actions: ['iam:GetInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile'], resources: [ARN.instanceProfile] },
    // Adding a role to a profile passes that role to EC2.
    { actions: ['iam:PassRole'], resources: [ARN.role] },
  ],
  appliesTo: ['instance-profile:empty'],
  writes: 'iam',

  async readBefore(ports, action) {
    return { kind: 'profile-roles', profileName: action.target, roles: (await ports.iam.getInstanceProfile(action.target))?.roles ?? null };
  },

  reached(action, state) {
    return rolesOf(state)?.includes(stringParam(action, 'roleName')) ?? false;
  },

  async apply(ports, action, given) {
    const roleName = stringParam(action, 'roleName');
    const state = given ?? (await stateFrom(addRoleToProfile.readBefore(ports, action)));
    const roles = rolesOf(state.current);
    if (!roles) throw new RemediationRefusedError(`instance profile ${action.target} does not exist`);
    const after = { profileName: action.target, roles: [roleName] };
    if (addRoleToProfile.reached(action, state.current)) return reachedOutcome(state, addRoleToProfile.reached(action, state.recorded), after, `${action.target} already holds ${roleName}`, 'iam');
    if (roles.length > 0) {
      throw new RemediationRefusedError(`${action.target} already holds ${roles.join(', ')}; a profile holds one role, so ${roleName} was not added`);
    }
    if (!(await ports.iam.getRole(roleName))) throw new RemediationRefusedError(`role ${roleName} does not exist`);
    await ports.iam.addRoleToInstanceProfile(action.target, roleName);
    return {
      result: 'done',
      before: { kind: 'profile-roles', profileName: action.target, roles },
      after,
      detail: `added role ${roleName} to instance profile ${action.target}`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action, _before, options = {}) {
    const roleName = stringParam(action, 'roleName');
    const profile = await ports.iam.getInstanceProfile(action.target);
    if (!profile) return `${action.target} no longer exists; nothing to remove`;
    if (!profile.roles.includes(roleName)) {
      if (profile.roles.length === 0) return `${action.target} does not hold ${roleName} already`;
      if (!options.force) throw new UndoConflictError(`${action.target} now holds ${profile.roles.join(', ')}, not ${roleName}: someone changed it since; left as it is`, profile.roles);
      return `${action.target} now holds ${profile.roles.join(', ')}, not ${roleName}: nothing of this change is left to remove`;
    }
    await ports.iam.removeRoleFromInstanceProfile(action.target, roleName);
    return `removed role ${roleName} from instance profile ${action.target}`;
  },
};
