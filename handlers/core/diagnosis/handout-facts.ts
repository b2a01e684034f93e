/**
 * The reads behind every handout: for each role a plan could hand to instances (the role of each profile read,
 * and the candidate role of an empty profile), its tags and every policy document, to tell whether it is
 * privileged. A read that fails leaves the role "cannot be shown not to be privileged" (fail closed).
 */
import type { AccountPorts, PolicyDocument } from '../ports.ts';
import { privilegedReason, type RolePolicy } from '../policy/privileged.ts';
import type { Facts, HandoutRoleFacts } from './facts.ts';
import type { Reader } from './reader.ts';

export async function readHandoutRoles(reader: Reader, ports: AccountPorts, facts: Facts): Promise<void> {
  const names = new Set<string>();
  for (const profile of Object.values(facts.profiles)) if (profile.roles[0]) names.add(profile.roles[0]);
  if (facts.role) names.add(facts.role.info.name);
  // The candidate role of each empty profile the incident's instances hold.
  for (const chain of facts.chains ?? []) if (chain.role) names.add(chain.role.name);
  const documents = new Map<string, PolicyDocument | null>();
  for (const name of names) facts.handoutRoles[name] = await readHandoutRole(reader, ports, facts, name, documents);
}

async function readHandoutRole(reader: Reader, ports: AccountPorts, facts: Facts, name: string, documents: Map<string, PolicyDocument | null>): Promise<HandoutRoleFacts> {
  const known = facts.role?.info.name === name ? facts.role : null;
  const info = known?.info ?? (await reader.read('iam:GetRole', () => ports.iam.getRole(name)));
  if (!info) return { name, tags: {}, privileged: `role ${name} could not be read, so it cannot be shown not to be privileged` };
  const inline = known?.inlinePolicies ?? (await reader.read('iam:ListRolePolicies', () => ports.iam.listInlinePolicies(name)));
  const attached = known?.attachedPolicies ?? (await reader.read('iam:ListAttachedRolePolicies', () => ports.iam.listAttachedPolicies(name)));
  if (!inline || !attached) return { name, tags: info.tags, privileged: `the policies of role ${name} could not be listed, so it cannot be shown not to be privileged` };
  const policies: RolePolicy[] = Object.entries(inline).map(([policyName, document]) => ({ source: `inline policy ${policyName}`, document }));
  for (const { arn } of attached) {
    if (!documents.has(arn)) documents.set(arn, (await reader.read('iam:GetPolicyVersion', () => ports.iam.getManagedPolicyDocument(arn))) ?? null);
    policies.push({ source: arn, document: documents.get(arn)! });
  }
  return { name, tags: info.tags, privileged: privilegedReason(policies) };
}
