// The Lambda bundles, built as synth builds them (lib/lambda-bundle.ts): each step carries the AWS SDK clients
// it uses (tree-shaken) and nothing AGPL or infrastructure.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleSteps, LAMBDA_ESBUILD, markShapesPure, NEVER_BUNDLED, type BundledStep } from '../../lib/lambda-bundle.ts';
import { STEP_NAMES, type StepName } from '../../lib/steps.ts';

const HANDLERS = join(import.meta.dirname, '..', '..', 'handlers');

/** The steps that read or change the incident account (EC2 instances, launch templates). */
// The answer function undoes changes (the Undo button): it acts on instances like apply.
const EC2_STEPS: StepName[] = ['diagnose', 'apply', 'verify', 'answer', 'sweep'];

describe('Lambda bundles', () => {
  const entries = Object.fromEntries(STEP_NAMES.map((step) => [step, join(HANDLERS, `${step}.ts`)]));
  let bundles: Record<string, BundledStep>;

  beforeAll(async () => {
    bundles = await bundleSteps(entries, join(HANDLERS, '..', 'node_modules', '.cache', 'bundle-check'), { write: false, sourcemap: false, logLevel: 'silent' });
  });

  const packages = (step: string) => bundles[step]!.inputs.map((input) => input.path).filter((path) => path.includes('node_modules/'));
  const has = (step: string, pkg: string) => packages(step).some((path) => path.includes(`node_modules/${pkg}`));

  it('exist for every step the construct deploys', () => {
    expect(Object.values(entries).filter((entry) => !existsSync(entry))).toEqual([]);
    expect(Object.keys(bundles).sort()).toEqual([...STEP_NAMES].sort());
  });

  it('never contain @cloud-copilot packages (the AGPL evaluator, the IAM data) or the CDK', () => {
    for (const step of STEP_NAMES) {
      for (const forbidden of [...NEVER_BUNDLED, 'aws-cdk-lib', 'constructs/', 'cdk-nag']) {
        expect(packages(step).filter((path) => path.includes(`node_modules/${forbidden}`)), `${step}: ${forbidden}`).toEqual([]);
      }
    }
  });

  it('carry the AWS SDK clients of their own adapters, not the runtime\'s copy: EC2 only in the steps that act on instances', () => {
    expect(LAMBDA_ESBUILD.external).toEqual([]);
    for (const step of STEP_NAMES) expect(has(step, '@aws-sdk/client-ec2'), step).toBe(EC2_STEPS.includes(step));
    expect(has('intake', '@aws-sdk/client-sfn')).toBe(true);
    expect(has('notify', '@aws-sdk/client-sns')).toBe(true);
    expect(has('record', '@aws-sdk/client-dynamodb')).toBe(true);
    // Tree-shaken: a step takes the commands it sends, not the whole client.
    const ec2Commands = packages('diagnose').filter((path) => /client-ec2\/.*commands\//.test(path)).map((path) => path.split('/').pop());
    expect(ec2Commands).toContain('DescribeInstancesCommand.js');
    expect(ec2Commands).not.toContain('RunInstancesCommand.js');
    // The event history (recent changes the intake did not deliver) is read where the diagnosis runs.
    for (const step of ['diagnose', 'sweep']) {
      expect(packages(step).filter((path) => /client-cloudtrail\/.*commands\//.test(path)).map((path) => path.split('/').pop()), step).toEqual(['LookupEventsCommand.js']);
    }
  });

  it('import at cold start what every invocation uses; ports called on demand and the SDK\'s unused credential providers load on first use', () => {
    for (const step of ['diagnose', 'sweep']) {
      const eager = bundles[step]!.inputs.filter((input) => !input.lazy).map((input) => input.path);
      expect(eager.some((path) => path.includes('node_modules/@aws-sdk/client-ec2/')), step).toBe(true);
      for (const pkg of ['@aws-sdk/client-cloudtrail', '@aws-sdk/client-sts', '@aws-sdk/client-auto-scaling', '@aws-sdk/credential-provider-sso']) {
        expect(has(step, pkg), `${step} carries ${pkg}`).toBe(true);
        expect(eager.filter((path) => path.includes(`node_modules/${pkg}/`)), `${step} imports ${pkg} at cold start`).toEqual([]);
      }
      expect(bundles[step]!.lazyBytes, step).toBeGreaterThan(100 * 1024);
    }
  });

  it('keep only the SDK shapes of the commands a step sends (EC2\'s 1.3 MB of shapes would otherwise leave 550 KB)', () => {
    const shapes = bundles.diagnose!.inputs.find((input) => /client-ec2\/dist-es\/schemas\/schemas_0\.js$/.test(input.path));
    expect(shapes?.bytes).toBeGreaterThan(0);
    expect(shapes!.bytes).toBeLessThan(150 * 1024);
  });

  it('stay within a few MB (the Lambda limit is 50 MB zipped)', () => {
    for (const step of STEP_NAMES) expect(bundles[step]!.bytes, step).toBeLessThan(3 * 1024 * 1024);
  });
});

describe('markShapesPure', () => {
  it('wraps each top-level shape in a pure call evaluated in place, and leaves everything else alone', () => {
    const source = [
      'const _A = "Address";',
      'export var Address$ = [3, n0, _A,',
      '    0,',
      '    [_A],',
      '    [[() => Tag$, { [_xN]: "item" }]]',
      '];',
      'var Secret = [0, n0, _S, 8, 0];',
      '_s_registry.registerError(X$, X);',
    ].join('\n');
    const marked = markShapesPure(source);
    expect(marked).toContain('export var Address$ = /* @__PURE__ */ (() => [3, n0, _A,');
    expect(marked).toContain('[[() => Tag$, { [_xN]: "item" }]]\n])();');
    expect(marked).toContain('var Secret = /* @__PURE__ */ (() => [0, n0, _S, 8, 0])();');
    expect(marked).toContain('const _A = "Address";\n');
    expect(marked).toContain('_s_registry.registerError(X$, X);');
  });
});

describe('an EC2 client bundled with pure shapes', () => {
  // EC2's query protocol answer to DescribeInstances, as the service sends it (nested sets, an instance profile).
  const RESPONSE = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet><item><reservationId>r-1234567890abcdef0</reservationId><ownerId>111122223333</ownerId>
    <instancesSet><item><instanceId>i-1234567890abcdef0</instanceId><instanceState><code>16</code><name>running</name></instanceState>
      <iamInstanceProfile><arn>arn:aws:iam::111122223333:instance-profile/app</arn><id>AIPAEXAMPLE</id></iamInstanceProfile>
      <tagSet><item><key>Name</key><value>web</value></item></tagSet>
    </item></instancesSet>
  </item></reservationSet>
</DescribeInstancesResponse>`;

  it('still parses what the service answers (no shape a command needs is dropped)', async () => {
    const cache = join(HANDLERS, '..', 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'pure-shapes-'));
    const entry = join(dir, 'describe.ts');
    writeFileSync(entry, [
      "import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';",
      'export async function describe(xml: string) {',
      "  const body = new TextEncoder().encode(xml);",
      "  const client = new EC2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },",
      "    requestHandler: { handle: async () => ({ response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body } }) } });",
      "  return client.send(new DescribeInstancesCommand({ InstanceIds: ['i-1234567890abcdef0'] }));",
      '}',
    ].join('\n'));
    const bundled = await bundleSteps({ describe: entry }, join(dir, 'out'), { sourcemap: false, logLevel: 'silent' });
    expect(bundled.describe!.inputs.some((input) => input.path.endsWith('client-ec2/dist-es/schemas/schemas_0.js'))).toBe(true);
    const { describe: run } = await import(pathToFileURL(bundled.describe!.file).href) as { describe: (xml: string) => Promise<{ Reservations?: Array<{ Instances?: Array<Record<string, unknown>> }> }> };
    const instance = (await run(RESPONSE)).Reservations?.[0]?.Instances?.[0];
    expect(instance).toMatchObject({
      InstanceId: 'i-1234567890abcdef0',
      State: { Code: 16, Name: 'running' },
      IamInstanceProfile: { Arn: 'arn:aws:iam::111122223333:instance-profile/app', Id: 'AIPAEXAMPLE' },
      Tags: [{ Key: 'Name', Value: 'web' }],
    });
  });
});

describe('markShapesPure on the SDK clients the steps use', () => {
  const CLIENTS = ['auto-scaling', 'cloudtrail', 'dynamodb', 'ec2', 'eventbridge', 'iam', 'sfn', 'sns', 'sts'];

  /** Every export of a module, functions (lazy references) shown as the export they return: comparable across two copies. */
  function describeExports(module: Record<string, unknown>): string {
    const names = new Map<unknown, string>(Object.entries(module).map(([name, value]) => [value, name]));
    return JSON.stringify(module, (_key, value: unknown) => {
      if (typeof value !== 'function') return value;
      if (names.has(value)) return `export ${names.get(value)}`;
      const target = (value as () => unknown)();
      return `-> ${names.get(target) ?? JSON.stringify(target)}`;
    });
  }

  it('keeps every shape of every client exactly as the SDK defines it', async () => {
    const cache = join(HANDLERS, '..', 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'shapes-'));
    const entries: Record<string, string> = {};
    for (const client of CLIENTS) {
      const entry = join(dir, `${client}.ts`);
      writeFileSync(entry, `export * from '@aws-sdk/client-${client}/dist-es/schemas/schemas_0.js';\n`);
      entries[client] = entry;
    }
    const marked = await bundleSteps(entries, join(dir, 'marked'), { sourcemap: false, minify: false, logLevel: 'silent' });
    const plain = await bundleSteps(entries, join(dir, 'plain'), { sourcemap: false, minify: false, plugins: [], logLevel: 'silent' });
    for (const client of CLIENTS) {
      const [a, b] = await Promise.all([marked, plain].map(async (set) => import(pathToFileURL(set[client]!.file).href) as Promise<Record<string, unknown>>));
      expect(Object.keys(a!).length, client).toBeGreaterThan(10);
      expect(readFileSync(marked[client]!.file, 'utf8'), client).toMatch(/\/\* @__PURE__ \*\/ \(\(\) => \[/);
      expect(describeExports(a!), client).toBe(describeExports(b!));
    }
  });
});
