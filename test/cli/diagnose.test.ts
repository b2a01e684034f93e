import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, expectInputError, scratchFile } from './run-cli.ts';

/** One event of a built-in scenario, written alone to a file, as a user would save it from CloudTrail. */
function eventOf(scenario: string, index = 0): string {
  const doc = JSON.parse(readFileSync(join(ROOT, 'scenarios', `${scenario}.json`), 'utf8'));
  return scratchFile('event.json', doc.events[index]);
}

describe('iam-autoheal diagnose --scenario', () => {
  it('prints the cause with the evidence and the owner for an SCP explicit deny', () => {
    const r = cli('diagnose', eventOf('scp-explicit-deny'), '--scenario', 'scenarios/scp-explicit-deny.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cause:\s+organization-policy$/m);
    expect(r.stdout).toMatch(/^evidence:$/m);
    expect(r.stdout).toContain('p-q7r8s9t0');
    expect(r.stdout).toMatch(/^owner:\s+\S/m);
    expect(r.stdout).toMatch(/^plan:\s+nothing to change$/m);
  });

  it('--json gives the diagnosis with its plan: the template first, then the running instances', () => {
    const r = cli('diagnose', eventOf('launch-template-without-profile'), '--scenario', 'scenarios/launch-template-without-profile.json', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.incidents).toHaveLength(1);
    const { diagnosis } = doc.incidents[0];
    expect(diagnosis.cause).toBe('stale-launch-template');
    const types = diagnosis.plan.map((p: { type: string }) => p.type);
    expect(types.slice(0, 2)).toEqual(['create-launch-template-version', 'set-default-launch-template-version']);
    expect(types).toContain('associate-profile');
    expect(diagnosis.evidence.length).toBeGreaterThan(0);
  });

  it('a record that is neither a denial by an instance role nor a launch: nothing to diagnose, with the reason', () => {
    const r = cli('diagnose', 'test/fixtures/cloudtrail/ignored--iam-user--ssm-getparameters-success.json', '--scenario', 'scenarios/observe-mode.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to diagnose');
    expect(r.stdout).toContain('GetParameters (ignored)');
  });

  it('bad input is one line naming the file, exit 2', () => {
    const notCloudTrail = scratchFile('not-cloudtrail.json', { hello: 'world' });
    expectInputError(cli('diagnose', notCloudTrail, '--scenario', 'scenarios/observe-mode.json'), notCloudTrail, /not a CloudTrail record/);
    expectInputError(cli('diagnose', 'missing-event.json'), 'missing-event.json', /cannot read/);
    expectInputError(cli('diagnose', eventOf('scp-explicit-deny'), '--scenario', 'scenarios/observe-mode.json'), 'scenarios/observe-mode.json', /account is 232323232323, the event's is 121212121212/);
    const badScenario = scratchFile('bad-scenario.json', { name: 'x', account: { accountId: '12', region: 'eu-west-1' } });
    expectInputError(cli('diagnose', 'test/fixtures/cloudtrail/denied--instance-role--ec2-describeinstances--legacy-message.json', '--scenario', badScenario), badScenario, /account\.accountId/);
  });
});

describe('iam-autoheal diagnose against a real account (an endpoint that refuses every call)', () => {
  it('uses the SDK settings (AWS_ENDPOINT_URL), only reads, and reports what it could not read', async () => {
    const actions: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        actions.push(new URLSearchParams(body).get('Action') ?? String(req.headers['x-amz-target'] ?? req.url));
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not in this test</Message></Error><RequestId>1</RequestId></ErrorResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const child = spawn(process.execPath, ['bin/iam-autoheal.js', 'diagnose', 'test/fixtures/cloudtrail/denied--instance-role--ec2-describeinstances--legacy-message.json'], {
      cwd: ROOT,
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '1', AWS_PROFILE: '' },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    server.close();
    expect(code).toBe(0);
    expect(stdout).toContain('diagnosed against AWS (default credential chain, read-only)');
    expect(stdout).toMatch(/read error: /);
    expect(actions.length).toBeGreaterThan(0);
    // Query protocols name the action in the body; CloudTrail's JSON protocol in X-Amz-Target (CloudTrail_20131101.LookupEvents).
    for (const action of actions) expect(action.replace(/^\w+\./, '')).toMatch(/^(Describe|Get|List|Simulate|Decode|Lookup)/);
    // The event history was asked too, and its refusal is evidence, not a failure.
    expect(actions).toContain('CloudTrail_20131101.LookupEvents');
    expect(stdout).toMatch(/CloudTrail LookupEvents .* failed: /);
  });
});
