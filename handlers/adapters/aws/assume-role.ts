/**
 * Credentials of a member account's remediation role, assumed from the hub and reused until near expiry. The STS
 * client loads with the first AssumeRole (a dynamic import): a single-account deployment never loads it.
 */
import type { CredentialsIdentity, TemporaryCredentials } from './clients.ts';

export const SESSION_NAME = 'iam-autoheal';
// Refresh this long before expiry so that a call never starts with credentials about to lapse.
const REFRESH_MARGIN_MS = 5 * 60_000;

const identities = new Map<string, CredentialsIdentity>();

/** Credentials of `roleArn`, cached per role, external id, region and session name (one STS call per ~hour). */
export function assumedRoleIdentity(roleArn: string, region: string, externalId?: string, sessionName = SESSION_NAME): CredentialsIdentity {
  const key = `${roleArn}|${externalId ?? ''}|${region}|${sessionName}`;
  let identity = identities.get(key);
  if (!identity) {
    identity = { key, provider: cachedAssumeRole(roleArn, region, externalId, sessionName) };
    identities.set(key, identity);
  }
  return identity;
}

function cachedAssumeRole(roleArn: string, region: string, externalId: string | undefined, sessionName: string): () => Promise<TemporaryCredentials> {
  let current: Promise<TemporaryCredentials> | null = null;
  let expiresAt = 0;
  return () => {
    if (!current || expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      const pending = assumeRole(roleArn, region, externalId, sessionName);
      current = pending;
      expiresAt = Number.POSITIVE_INFINITY; // concurrent callers share the pending call
      pending.then(
        (creds) => { expiresAt = creds.expiration?.getTime() ?? 0; },
        () => { current = null; expiresAt = 0; },
      );
    }
    return current;
  };
}

async function assumeRole(roleArn: string, region: string, externalId: string | undefined, sessionName: string): Promise<TemporaryCredentials> {
  const { assumeRoleCall } = await import('./sts.ts');
  const input = { RoleArn: roleArn, RoleSessionName: sessionName, ...(externalId ? { ExternalId: externalId } : {}) };
  const { Credentials: c } = await assumeRoleCall(region, input);
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}
