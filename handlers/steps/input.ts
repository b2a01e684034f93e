/** The one check a Lambda entry makes on what the state machine sent: the fields its step reads are there. */
export class WorkflowInputError extends Error {
  override readonly name = 'WorkflowInputError' as const;
}

export function requireFields<T>(event: unknown, step: string, fields: readonly string[]): T {
  if (typeof event !== 'object' || event === null) throw new WorkflowInputError(`${step}: input is not an object`);
  const missing = fields.filter((f) => (event as Record<string, unknown>)[f] === undefined);
  if (missing.length) throw new WorkflowInputError(`${step}: input lacks ${missing.join(', ')}`);
  return event as T;
}
