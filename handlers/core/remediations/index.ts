/** The remediation catalog: one file per remediation, one line each here. */
import type { ActionType } from '../incident.ts';
import type { Remediation } from './types.ts';
import { associateProfile } from './associate-profile.ts';
import { replaceAssociation } from './replace-association.ts';
import { mergeTrust } from './merge-trust.ts';
import { attachPolicy } from './attach-policy.ts';
import { putInlinePolicy } from './put-inline-policy.ts';
import { proposePolicy } from './propose-policy.ts';
import { addRoleToProfile } from './add-role-to-profile.ts';
import { createLaunchTemplateVersion } from './create-launch-template-version.ts';
import { setDefaultLaunchTemplateVersion } from './set-default-launch-template-version.ts';
import { updateAutoScalingGroup } from './update-auto-scaling-group.ts';
import { wait } from './wait.ts';

export const REMEDIATIONS: readonly Remediation[] = [
  associateProfile,
  replaceAssociation,
  mergeTrust,
  attachPolicy,
  putInlinePolicy,
  proposePolicy,
  addRoleToProfile,
  createLaunchTemplateVersion,
  setDefaultLaunchTemplateVersion,
  updateAutoScalingGroup,
  wait,
];

export class UnknownRemediationError extends Error {
  override readonly name = 'UnknownRemediation' as const;
}

/** The remediation for an action type; throws for `notify` and unknown types (they are not remediations). */
export function remediationFor(type: ActionType | string): Remediation {
  const found = REMEDIATIONS.find((r) => r.type === type);
  if (!found) throw new UnknownRemediationError(`no remediation of type "${type}"`);
  return found;
}

export { RemediationRefusedError, UndoConflictError } from './errors.ts';
export type { Remediation, ApplyOutcome, Before, ChangeState, RequiredPermission, UndoOptions } from './types.ts';
