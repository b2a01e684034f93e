/** Pure policy-document helpers: statements, wildcards, principals, trust merge, never-grant list. */
export * from './statements.ts';
export * from './wildcard.ts';
export * from './principal.ts';
export * from './trust.ts';
export * from './never-grant.ts';
export * from './coverage.ts';
