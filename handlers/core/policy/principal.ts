/** Who a statement names, and which expected-permission entries apply to a role. */
import type { ExpectedPermission } from '../config.ts';
import { wildcardMatch } from './wildcard.ts';

/** Role name from a role ARN (the path is dropped: `arn:aws:iam::1:role/svc/app` → `app`). */
export function roleNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Instance profile name from a profile ARN, or the name itself when given a name. */
export function profileNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

/** The operator's declarations that apply to this role (role names match case-sensitively, as IAM's do not collide). */
export function expectedPermissionsFor(roleName: string, declared: ExpectedPermission[]): ExpectedPermission[] {
  return declared.filter((entry) => wildcardMatch(entry.role, roleName));
}
