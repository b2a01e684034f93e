// What synth reads besides code: the configuration (file or context) and the ASL file with its substitutions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../handlers/core/config.ts';
import { ConfigSourceError, loadDeploymentConfig } from '../../lib/config-source.ts';
import { DefinitionSubstitutionError, loadDefinition, substitutionNames } from '../../lib/state-machine-definition.ts';
import { RESOURCE_SUBSTITUTIONS } from '../../lib/iam-autoheal.ts';
import { SingleAccountStack } from '../../lib/stacks.ts';
import { STEP_NAMES, STEPS } from '../../lib/steps.ts';
import { SAMPLE_ASL, SAMPLE_REMEDIATIONS, stubProject, testApp } from './app-fixture.ts';

const scratch = mkdtempSync(join(tmpdir(), 'iam-autoheal-synth-inputs-'));
const file = (name: string, text: string) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

describe('configuration at synth', () => {
  it('defaults when no context is given', () => {
    const { config, source } = loadDeploymentConfig(new App().node);
    expect(source).toBe('defaults');
    expect(config.limits.iamChangesPerAccountPerHour).toBe(20);
  });

  it('reads context configFile', () => {
    const path = file('good.json', JSON.stringify({ limits: { iamChangesPerAccountPerHour: 5 } }));
    const { config, source } = loadDeploymentConfig(new App({ context: { configFile: path } }).node);
    expect(source).toBe(path);
    expect(config.limits.iamChangesPerAccountPerHour).toBe(5);
  });

  it('reads context config as an object or as JSON text (-c config=…)', () => {
    const asObject = loadDeploymentConfig(new App({ context: { config: { baselineInstanceProfile: 'base' } } }).node);
    const asText = loadDeploymentConfig(new App({ context: { config: '{"baselineInstanceProfile":"base"}' } }).node);
    expect(asObject.config.baselineInstanceProfile).toBe('base');
    expect(asText.config).toEqual(asObject.config);
  });

  it('fails with the file and the field named', () => {
    const path = file('bad.json', JSON.stringify({ limits: { iamChangesPerAccountPerHour: -1 } }));
    expect(() => loadDeploymentConfig(new App({ context: { configFile: path } }).node)).toThrow(ConfigError);
    expect(() => loadDeploymentConfig(new App({ context: { configFile: path } }).node)).toThrow(`${path}: limits.iamChangesPerAccountPerHour`);
    expect(() => loadDeploymentConfig(new App({ context: { config: { modes: { 'made-up': 'auto' } } } }).node)).toThrow(/context "config": modes\.made-up/);
  });

  it('refuses change budgets above their upper bounds, naming the field and the bound', () => {
    expect(() => loadDeploymentConfig(new App({ context: { config: { limits: { iamChangesPerAccountPerHour: 201 } } } }).node)).toThrow(/limits\.iamChangesPerAccountPerHour: at most 200/);
    expect(() => loadDeploymentConfig(new App({ context: { config: { limits: { ec2ChangesPerAccountPerHour: 1_000_000 } } } }).node)).toThrow(/limits\.ec2ChangesPerAccountPerHour: at most 10000/);
    expect(loadDeploymentConfig(new App({ context: { config: { limits: { iamChangesPerAccountPerHour: 200, ec2ChangesPerAccountPerHour: 10_000 } } } }).node).config.limits).toEqual({ iamChangesPerAccountPerHour: 200, ec2ChangesPerAccountPerHour: 10_000 });
  });

  it('refuses at synth a Verify loop or an approval window beyond the Step Functions limits, naming the field', () => {
    const synth = (config: unknown) => () => loadDeploymentConfig(new App({ context: { config } }).node);
    expect(synth({ propagation: { firstWaitSeconds: 1, maxWaitSeconds: 1, budgetSeconds: 7200 } })).toThrow(/context "config": propagation\.budgetSeconds: .*more than 500 rounds/);
    expect(synth({ approvalTimeoutSeconds: 100 * 86_400 })).toThrow(/context "config": approvalTimeoutSeconds: at most \d+/);
    expect(synth({ propagation: { maxWaitSeconds: 30, budgetSeconds: 3600 }, approvalTimeoutSeconds: 7 * 86_400 })).not.toThrow();
  });

  it('fails clearly on a missing file, bad JSON, or both sources at once', () => {
    expect(() => loadDeploymentConfig(new App({ context: { configFile: join(scratch, 'none.json') } }).node)).toThrow(/none\.json: cannot read.*ENOENT/);
    expect(() => loadDeploymentConfig(new App({ context: { configFile: file('broken.json', '{') } }).node)).toThrow(ConfigSourceError);
    expect(() => loadDeploymentConfig(new App({ context: { configFile: 'x', config: {} } }).node)).toThrow(/either/);
  });

  it('refuses a configuration too large for the Lambda environment', () => {
    const statements = Array.from({ length: 60 }, (_, i) => ({ Effect: 'Allow' as const, Action: `s3:GetObject`, Resource: `arn:aws:s3:::bucket-${i}/*` }));
    const config = parseConfig({ expectedPermissions: [{ role: 'app', statements }] });
    const project = stubProject();
    expect(() => new SingleAccountStack(testApp(), 'Big', { service: { config, remediations: SAMPLE_REMEDIATIONS, ...project } })).toThrow(/Lambda environment/);
  });
});

describe('state machine definition', () => {
  it('lists the placeholders a definition uses, once each', () => {
    expect(substitutionNames('{"a":"${X}","b":"${Y}","c":"${X}","d":"$.not"}')).toEqual(['X', 'Y']);
  });

  it('supplies only what the file uses', () => {
    const path = file('small.asl.json', JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: '${DiagnoseFunctionArn}', End: true } } }));
    expect(loadDefinition(path, { DiagnoseFunctionArn: 'arn:d', NotifyFunctionArn: 'arn:n' }).substitutions).toEqual({ DiagnoseFunctionArn: 'arn:d' });
  });

  it('adds a timeout only when the file sets none', () => {
    const without = file('no-timeout.asl.json', JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }));
    const withOwn = file('timeout.asl.json', JSON.stringify({ TimeoutSeconds: 60, StartAt: 'A', States: { A: { Type: 'Succeed' } } }));
    expect(JSON.parse(loadDefinition(without, {}, 900).body).TimeoutSeconds).toBe(900);
    expect(JSON.parse(loadDefinition(withOwn, {}, 900).body).TimeoutSeconds).toBe(60);
  });

  it('fails synth naming a placeholder nothing supplies', () => {
    const asl = { ...SAMPLE_ASL, States: { ...SAMPLE_ASL.States, Diagnose: { Type: 'Task', Resource: '${DiagnosisFunctionArn}', Next: 'Guard' } } };
    const project = stubProject(asl);
    const config = parseConfig({});
    expect(() => new SingleAccountStack(testApp(), 'Typo', { service: { config, remediations: SAMPLE_REMEDIATIONS, ...project } })).toThrow(DefinitionSubstitutionError);
    expect(() => new SingleAccountStack(testApp(), 'Typo2', { service: { config, remediations: SAMPLE_REMEDIATIONS, ...project } })).toThrow(/\$\{DiagnosisFunctionArn\}/);
  });

  it('the project\'s workflow uses only substitutions the construct supplies', () => {
    const names = [...RESOURCE_SUBSTITUTIONS, ...STEP_NAMES.flatMap((step) => STEPS[step].substitution ?? [])];
    const available = Object.fromEntries(names.map((name) => [name, `value-of-${name}`]));
    const definition = loadDefinition(join(import.meta.dirname, '..', '..', 'statemachines', 'remediate.asl.json'), available);
    expect(Object.keys(definition.substitutions)).toEqual(expect.arrayContaining(['DiagnoseFunctionArn', 'ApplyFunctionArn']));
  });

  it('fails on a definition that is not JSON', () => {
    expect(() => loadDefinition(file('broken.asl.json', '{ "StartAt": '), {})).toThrow(/not valid JSON/);
  });
});
