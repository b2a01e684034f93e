import '../handlers/adapters/polyfills.ts';
import { runCli } from '../handlers/cli/index.ts';

process.exitCode = await runCli(process.argv);
