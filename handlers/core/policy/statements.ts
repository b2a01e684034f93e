/** Pure helpers over IAM policy documents: statement lists, values that may be a string or a list, sizes. */
import type { PolicyDocument } from '../ports.ts';

export type Statement = Record<string, unknown>;

/** IAM accepts a single statement object or a list; callers always get a list (the document is not modified). */
export function statementsOf(document: PolicyDocument | null | undefined): Statement[] {
  if (!document || document.Statement === undefined || document.Statement === null) return [];
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

/** `Action: "s3:GetObject"` and `Action: ["s3:GetObject"]` mean the same; this returns the list form. */
export function listOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** IAM counts policy size without whitespace; minified JSON is the same measure. */
export function policySize(document: unknown): number {
  return JSON.stringify(document).length;
}

/** Deep equality of JSON values, key order ignored (IAM may return keys in another order). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON text with object keys sorted: equal for equal values whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** IAM quotas checked before any write (TOOLCHAIN.md). */
export const IAM_QUOTAS = {
  trustPolicyChars: 2048,
  inlinePolicyCharsPerRole: 10_240,
  managedPoliciesPerRole: 10,
} as const;
