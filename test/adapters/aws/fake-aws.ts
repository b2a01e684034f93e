/**
 * Offline AWS for adapter tests: a region, static fake credentials, and an endpoint on a closed
 * local port, so that a call a test forgot to mock fails at once instead of reaching AWS.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, vi } from 'vitest';

vi.stubEnv('AWS_REGION', 'us-east-1');
vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEFAKEFAKEFAKE');
vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake-secret');
vi.stubEnv('AWS_SESSION_TOKEN', undefined);
vi.stubEnv('AWS_PROFILE', undefined);
vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
afterAll(() => vi.unstubAllEnvs());

export const REGION = 'us-east-1';
export const fakeCredentials = { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret' };
export const clientConfig = { region: REGION, credentials: fakeCredentials, maxAttempts: 1 };

/** An error shaped as the SDK throws an unmodelled service error (wire code as name). */
export function awsError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: code, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** How IAM sends documents: RFC 3986 URL-encoded JSON. */
export const urlEncoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

/**
 * Answers successive calls with successive pages and keeps a copy of each input as sent: SDK
 * paginators reuse one input object, so the mock's own call log shows only its final state.
 */
export function pagedResponses<I extends object, O>(pages: O[]) {
  const inputs: I[] = [];
  const respond = (input: I): O => {
    inputs.push(structuredClone(input));
    return pages[Math.min(inputs.length, pages.length) - 1];
  };
  return { inputs, respond };
}
