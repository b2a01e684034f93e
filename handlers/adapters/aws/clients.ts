/**
 * SDK clients, created once per Lambda container and reused: one per (client class, region,
 * credentials identity). Without explicit credentials the default chain applies, so AWS_PROFILE,
 * AWS_REGION and AWS_ENDPOINT_URL(_<SERVICE>) work as with any AWS tool.
 */

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialsProvider = () => Promise<TemporaryCredentials>;

/** Credentials other than the default chain, with a stable key that names them (e.g. the role ARN). */
export interface CredentialsIdentity {
  key: string;
  provider: CredentialsProvider;
}

interface ClientSettings {
  region?: string;
  credentials?: CredentialsProvider;
  maxAttempts?: number;
}
type ClientClass<C> = new (settings: ClientSettings) => C;

// The workflow retries with backoff; the SDK only absorbs a short blip.
export const SDK_MAX_ATTEMPTS = 3;

const clientsByClass = new Map<ClientClass<unknown>, Map<string, unknown>>();

export function awsClient<C>(Client: ClientClass<C>, region?: string, identity?: CredentialsIdentity): C {
  let clients = clientsByClass.get(Client);
  if (!clients) clientsByClass.set(Client, (clients = new Map()));
  const key = `${region ?? '(default region)'}|${identity?.key ?? '(default credentials)'}`;
  let client = clients.get(key) as C | undefined;
  if (!client) {
    const settings: ClientSettings = { maxAttempts: SDK_MAX_ATTEMPTS };
    if (region) settings.region = region;
    if (identity) settings.credentials = identity.provider;
    client = new Client(settings);
    clients.set(key, client);
  }
  return client;
}

/** Every item of every page of an SDK paginator. */
export async function collectPages<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

/** Region field of an ARN (arn:partition:service:region:account:resource); undefined when empty. */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/** EC2 / Auto Scaling `Tags: [{ Key, Value }]` as a plain record. */
export function tagRecord(tags: Array<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
