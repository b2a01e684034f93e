/**
 * One scratch directory per test run: every temporary file a test (or the CDK, whose App without an
 * outdir writes to os.tmpdir()/cdk.out*) creates lands there, and the whole directory goes at the end.
 * Infrastructure stubs must live inside the project (NodejsFunction wants entries under its root): they
 * get a per-run directory of their own under node_modules/.cache, removed the same way.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'iam-autoheal-tests-'));
  const cache = join(import.meta.dirname, '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const stubs = mkdtempSync(join(cache, 'iam-autoheal-infra-'));
  // Workers are forked after this runs, so they inherit both; os.tmpdir() reads TMPDIR on every call.
  process.env.TMPDIR = scratch;
  process.env.IAM_AUTOHEAL_TEST_STUBS = stubs;
  return () => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(stubs, { recursive: true, force: true });
  };
}
