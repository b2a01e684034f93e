/** Drift incidents at intake, from the real IAM change records of test/fixtures/cloudtrail/. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../handlers/core/config.ts';
import { classify, extractRecords, incidentKey } from '../../../handlers/core/events/index.ts';
import { coalesceIncidents, type DriftIntake } from '../../../handlers/core/intake.ts';

/** A real record, its anonymized 9-digit account replaced by a valid one (only ids change). */
function fixture(name: string) {
  const record = JSON.parse(readFileSync(`test/fixtures/cloudtrail/${name}`, 'utf8'));
  return { ...record, recipientAccountId: ACCOUNT, userIdentity: { ...record.userIdentity, accountId: ACCOUNT } };
}
const ACCOUNT = '123456789012';
function keyed(records: unknown[]) {
  return records.flatMap((doc) => extractRecords(doc, 'test')).map((record) => {
    const classification = classify(record);
    return { key: incidentKey(classification), classification };
  });
}
const drift = (extra: Record<string, unknown> = {}, regions: string[] = []): DriftIntake => ({ drift: parseConfig({ drift: extra }).drift, regions });

/** The real record that rewrote cloudtrail-role's trust for an account only: EC2 dropped. */
const trustWithoutEc2 = () => fixture('change--update-assume-role-policy--iam-user-2.json');
/** The real record whose new trust still names ec2.amazonaws.com. */
const trustWithEc2 = () => fixture('change--update-assume-role-policy--iam-user.json');

/** The same record, made by a session of the given role. */
function byRole(record: Record<string, any>, roleName: string, session: string) {
  const accountId = record.recipientAccountId;
  return {
    ...record,
    userIdentity: {
      type: 'AssumedRole', principalId: `AROAEXAMPLEID:${session}`, arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`, accountId,
      sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: `arn:aws:iam::${accountId}:role/${roleName}`, accountId, userName: roleName }, attributes: { creationDate: record.eventTime, mfaAuthenticated: 'false' } },
    },
  };
}

describe('drift incidents at intake', () => {
  it('a trust policy rewritten without EC2 starts a drift incident of that role, by itself; the record stays a change', () => {
    const { incidents, changes, driftSkipped } = coalesceIncidents(keyed([trustWithoutEc2()]), drift());
    expect(changes).toBe(1);
    expect(driftSkipped).toEqual([]);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident!.kind).toBe('drift');
    expect(incident!.key).toMatch(/^drift-123456789012-us-east-1-role-trust-cloudtrail/);
    expect(incident!.trigger.eventName).toBe('UpdateAssumeRolePolicy');
    expect(incident!.instanceIds).toEqual([]);
    expect(incident!.recentChanges.map((c) => c.eventId)).toEqual([incident!.trigger.eventId]);
  });

  it('an IAM change (recorded in us-east-1 only) is diagnosed in every region of scope.regions, where the instances run', () => {
    const { incidents } = coalesceIncidents(keyed([trustWithoutEc2()]), drift({}, ['eu-west-1', 'ap-south-1']));
    expect(incidents.map((i) => i.region).sort()).toEqual(['ap-south-1', 'eu-west-1']);
    expect(new Set(incidents.map((i) => i.key)).size).toBe(2);
  });

  it('changes that remove nothing start nothing, and say why', () => {
    const { incidents, driftSkipped } = coalesceIncidents(keyed([trustWithEc2(), fixture('change--attach-role-policy--iam-user-2.json')]), drift());
    expect(incidents).toEqual([]);
    expect(driftSkipped!.map((s) => s.eventName)).toEqual(['UpdateAssumeRolePolicy', 'AttachRolePolicy']);
    expect(driftSkipped![1]!.reason).toMatch(/adds/);
  });

  it('our own changes (the remediation role\'s sessions) never start a drift incident', () => {
    const ours = byRole(trustWithoutEc2(), 'iam-autoheal-remediation', 'iam-autoheal-apply');
    const { incidents, driftSkipped } = coalesceIncidents(keyed([ours]), drift());
    expect(incidents).toEqual([]);
    expect(driftSkipped![0]!.reason).toMatch(/our own change/);
  });

  it('drift.ignorePrincipals trusts the listed users and roles (wildcards allowed); anyone else still starts one', () => {
    const user = trustWithoutEc2();
    const pipeline = byRole(trustWithoutEc2(), 'terraform-apply', 'run-4411');
    const trusted = drift({ ignorePrincipals: ['test@elastic.*', 'terraform-*'] });
    const result = coalesceIncidents(keyed([user, pipeline]), trusted);
    expect(result.incidents).toEqual([]);
    expect(result.driftSkipped!.map((s) => s.reason)).toEqual([expect.stringContaining('test@elastic.*'), expect.stringContaining('terraform-*')]);
    expect(coalesceIncidents(keyed([pipeline]), drift({ ignorePrincipals: ['terraform-apply/other-session'] })).incidents).toHaveLength(1);
  });

  it('a new Auto Scaling group starts one (the record does not show what its template launches), keyed by the group in its own region', () => {
    const scenario = JSON.parse(readFileSync('scenarios/drift-new-group-without-profile.json', 'utf8'));
    const { incidents } = coalesceIncidents(keyed(scenario.events), drift());
    expect(incidents.map((i) => [i.kind, i.region, i.trigger.change?.resourceType, i.trigger.change?.resource])).toEqual([['drift', 'eu-north-1', 'auto-scaling-group', 'checkout-workers']]);
    expect(incidents[0]!.trigger.change?.detail?.['launchTemplateName']).toBe('checkout-workers');
  });

  it('with drift.enabled false, or without drift settings (the CLI diagnose), changes are evidence only', () => {
    expect(coalesceIncidents(keyed([trustWithoutEc2()]), drift({ enabled: false })).incidents).toEqual([]);
    expect(coalesceIncidents(keyed([trustWithoutEc2()])).incidents).toEqual([]);
  });
});

describe('drift configuration', () => {
  it('defaults to on, nobody trusted, a one-hour flapping window', () => {
    expect(parseConfig({}).drift).toEqual({ enabled: true, ignorePrincipals: [], flappingWindowSeconds: 3600 });
  });

  it('refuses an empty principal, an unknown field and a window longer than a week, naming the field', () => {
    expect(() => parseConfig({ drift: { ignorePrincipals: [''] } })).toThrow(ConfigError);
    expect(() => parseConfig({ drift: { ignorePrincipals: [''] } })).toThrow(/drift\.ignorePrincipals\.0/);
    expect(() => parseConfig({ drift: { ignore: ['x'] } })).toThrow(/drift/);
    expect(() => parseConfig({ drift: { flappingWindowSeconds: 86_400 * 8 } })).toThrow(/drift\.flappingWindowSeconds: at most a week/);
  });
});
