/** Puts the expected role into an instance profile that holds none (a profile holds at most one role). */
import { RemediationRefusedError } from './errors.ts';
import { ARN, stringParam } from './lookups.ts';
import type { Remediation } from './types.ts';

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

  async apply(ports, action) {
    const roleName = stringParam(action, 'roleName');
    const profile = await ports.iam.getInstanceProfile(action.target);
    if (!profile) throw new RemediationRefusedError(`instance profile ${action.target} does not exist`);
    if (profile.roles.includes(roleName)) {
      return { result: 'already-done', before: null, after: profile, detail: `${action.target} already holds ${roleName}`, writes: { iam: 0, ec2: 0 } };
    }
    if (profile.roles.length > 0) {
      throw new RemediationRefusedError(`${action.target} already holds ${profile.roles.join(', ')}; a profile holds one role, so ${roleName} was not added`);
    }
    if (!(await ports.iam.getRole(roleName))) throw new RemediationRefusedError(`role ${roleName} does not exist`);
    await ports.iam.addRoleToInstanceProfile(action.target, roleName);
    return {
      result: 'done',
      before: { kind: 'profile-roles', profileName: action.target, roles: profile.roles },
      after: { profileName: action.target, roles: [roleName] },
      detail: `added role ${roleName} to instance profile ${action.target}`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action) {
    const roleName = stringParam(action, 'roleName');
    const profile = await ports.iam.getInstanceProfile(action.target);
    if (!profile || !profile.roles.includes(roleName)) return `${action.target} does not hold ${roleName} already`;
    await ports.iam.removeRoleFromInstanceProfile(action.target, roleName);
    return `removed role ${roleName} from instance profile ${action.target}`;
  },
};
