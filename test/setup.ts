// Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions needs.
import '../handlers/adapters/polyfills.ts';
