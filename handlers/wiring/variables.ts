/** The Lambda environment variables the CDK app sets: a missing one fails loudly, naming it. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError' as const;
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new EnvironmentError(`environment variable ${name} is not set`);
  return value;
}
