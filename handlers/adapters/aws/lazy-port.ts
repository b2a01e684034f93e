/**
 * A port whose adapter module (and the SDK client it imports) loads on the port's first call. `load` is a dynamic
 * `import()`: the Lambda bundle keeps what it reaches in a chunk of its own (lib/lambda-bundle.ts), read only by an
 * invocation that calls the port, so a step's cold start does not compile a client it may never use.
 */

/** The ports this works for: every member is a method that answers with a promise. */
type AsyncPort<P> = { [K in keyof P]: (...args: never[]) => Promise<unknown> };

/**
 * `methods` names every method of the port (the type requires all of them); each loads the adapter once, then
 * calls it. A failed load (a chunk missing from the bundle) is the call's error and is tried again by the next call.
 */
export function lazyPort<P extends AsyncPort<P>>(methods: { [K in keyof P]: true }, load: () => Promise<P>): P {
  let loaded: Promise<P> | undefined;
  const port = () => (loaded ??= load().catch((err: unknown) => {
    loaded = undefined;
    throw err;
  }));
  const entries = (Object.keys(methods) as Array<keyof P>).map((name) => [
    name,
    async (...args: unknown[]) => {
      const target = await port();
      const method = target[name] as unknown as (...a: unknown[]) => Promise<unknown>;
      return method.apply(target, args);
    },
  ]);
  return Object.fromEntries(entries) as P;
}
