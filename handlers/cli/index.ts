/** The `iam-autoheal` command line: one module per command, registered here. */
import { Command, CommanderError } from 'commander';
import { AwsAccessError, InputError } from './errors.ts';
import { ConfigError } from '../core/config.ts';
import { registerTriage } from './triage.ts';
import { registerDiagnose } from './diagnose.ts';
import { registerSimulate } from './simulate.ts';
import { registerDemo } from './demo.ts';
import { registerAudit } from './audit.ts';
import { registerUndo } from './undo.ts';
import { registerBench } from './bench.ts';
import { registerFaultMatrix } from './fault-matrix.ts';
import { registerAnswers } from './answer.ts';
import { registerCheck } from './check.ts';
import { registerRemediate } from './remediate.ts';

const COMMANDS: Array<(program: Command) => void> = [registerTriage, registerDiagnose, registerSimulate, registerDemo, registerAudit, registerUndo, registerAnswers, registerBench, registerFaultMatrix, registerCheck, registerRemediate];

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('iam-autoheal')
    .description('Self-healing for EC2 instance roles: triage CloudTrail denials, diagnose, fix, verify, audit, undo.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof InputError || err instanceof ConfigError || err instanceof AwsAccessError) {
      process.stderr.write(`iam-autoheal: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`iam-autoheal: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
