import { describe, expect, it } from 'vitest';
import { ALL_CAUSES, FIXABLE_CAUSES, type Mode } from '../../../handlers/core/causes.ts';
import { parseConfig, type ConfigInput } from '../../../handlers/core/config.ts';
import { decide } from '../../../handlers/core/diagnosis/decide.ts';
import { guard } from '../../../handlers/core/guard.ts';
import type { LaunchTemplateFacts } from '../../../handlers/core/diagnosis/facts.ts';
import { bareInstance, EC2_TRUST, facts, instance, INSTANCE, role } from '../diagnosis/build-facts.ts';
import { APP_HANDOUT, attachGrant, diagnosis, inlineGrant, NO_CHANGES_YET } from './build-diagnosis.ts';

const MODES: Mode[] = ['observe', 'approve', 'auto'];
/** The configuration of these tests: profile "app" (the diagnoses' handout) is authorized by configuration. */
const cfg = (input: Record<string, unknown> = {}) => parseConfig({ allowedInstanceProfiles: ['app'], ...input });
const READ = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/*' };

function allModes(mode: Mode): ConfigInput['modes'] {
  return Object.fromEntries(FIXABLE_CAUSES.map((c) => [c, mode]));
}

describe('guard: modes', () => {
  it('auto applies, approve waits for a human, observe changes nothing — each with a reason', () => {
    const d = diagnosis();
    expect(guard(d, cfg({ modes: { 'no-instance-profile': 'auto' } }), NO_CHANGES_YET)).toMatchObject({ verdict: 'apply', mode: 'auto', allowed: d.plan });
    expect(guard(d, cfg({ modes: { 'no-instance-profile': 'approve' } }), NO_CHANGES_YET)).toMatchObject({ verdict: 'await-approval', reason: expect.stringMatching(/approve/) });
    expect(guard(d, cfg({ modes: { 'no-instance-profile': 'observe' } }), NO_CHANGES_YET)).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/observe: the plan is reported, nothing is changed/) });
  });

  it('escalated causes are never changed, in any mode, and the reason names the owner', () => {
    for (const cause of ALL_CAUSES.filter((c) => !(FIXABLE_CAUSES as readonly string[]).includes(c))) {
      for (const mode of MODES) {
        const g = guard(diagnosis({ cause, owner: 'the AWS Organizations administrators', plan: [] }), cfg({ modes: allModes(mode) }), NO_CHANGES_YET);
        expect(g.verdict).toBe('escalate');
        expect(g.reason).toMatch(/never changed automatically; talk to the AWS Organizations administrators/);
      }
    }
  });

  it('a healthy launch is nothing-to-do', () => {
    expect(guard(diagnosis({ cause: 'unknown', plan: [], healthy: true }), cfg({}), NO_CHANGES_YET).verdict).toBe('nothing-to-do');
  });
});

describe('guard: ec2RoleDelivery and scope', () => {
  it('a denial without ec2RoleDelivery never changes anything automatically, in any mode', () => {
    for (const mode of MODES) {
      const g = guard(diagnosis({}, { ec2Delivered: false }), cfg({ modes: allModes(mode) }), NO_CHANGES_YET);
      expect(g.verdict).toBe('observe');
      expect(g.reason).toMatch(/no ec2RoleDelivery/);
    }
  });

  it('out of scope by tag, account or region: observe with the reason', () => {
    const scoped = (scope: ConfigInput['scope']) => cfg({ modes: { 'no-instance-profile': 'auto' }, scope });
    const untagged = { tag: 'iam-autoheal=on', roles: [], instanceIds: [], launchTemplateIds: [], autoScalingGroups: [] };
    expect(guard(diagnosis({}, { tags: {}, optIn: untagged }), scoped({ tag: { key: 'iam-autoheal', value: 'on' } }), NO_CHANGES_YET)).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/instance i-0aaa1111bbbb2222c is not tagged iam-autoheal=on/) });
    // A diagnosis that does not say where the tag is (or says it for another tag) is not in scope.
    expect(guard(diagnosis({}, { optIn: undefined }), scoped({ tag: { key: 'iam-autoheal', value: 'on' } }), NO_CHANGES_YET).verdict).toBe('observe');
    expect(guard(diagnosis({}, { optIn: { ...untagged, tag: 'team=web', instanceIds: ['i-0aaa1111bbbb2222c'] } }), scoped({ tag: { key: 'iam-autoheal', value: 'on' } }), NO_CHANGES_YET).verdict).toBe('observe');
    expect(guard(diagnosis(), scoped({ accounts: ['999999999999'] }), NO_CHANGES_YET)).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/account 111122223333 is not in scope/) });
    expect(guard(diagnosis(), scoped({ regions: ['us-east-1'] }), NO_CHANGES_YET)).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/region eu-west-1/) });
    expect(guard(diagnosis(), scoped({ tag: { key: 'iam-autoheal', value: 'on' }, accounts: ['111122223333'], regions: ['eu-west-1'] }), NO_CHANGES_YET).verdict).toBe('apply');
  });
});

describe('guard: the opt-in tag where IAM checks it', () => {
  const TAG = { key: 'iam-autoheal', value: 'on' };
  const OPT_IN = { 'iam-autoheal': 'on' };
  const scoped = (cause: 'trust-missing-ec2' | 'no-instance-profile' | 'stale-launch-template', mode: 'auto' | 'approve' = 'auto') => cfg({ modes: { [cause]: mode }, scope: { tag: TAG } });

  it('a role write needs the tag on the role: a tagged instance of an untagged role is not enough', () => {
    const broken = { ...EC2_TRUST, Statement: [{ ...EC2_TRUST.Statement[0]!, Principal: { Service: 'lambda.amazonaws.com' } }] };
    const onInstance = facts({ instances: [instance(INSTANCE, { info: { ...instance().info!, tags: OPT_IN } })], role: role('app', { trustPolicy: broken }) });
    const d = decide(onInstance, scoped('trust-missing-ec2'));
    expect(d.plan.map((a) => a.type)).toEqual(['merge-trust']);
    expect(guard(d, scoped('trust-missing-ec2'), NO_CHANGES_YET)).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/role app is not tagged iam-autoheal=on/) });
    const onRole = facts({ role: role('app', { trustPolicy: broken, tags: OPT_IN }) });
    expect(guard(decide(onRole, scoped('trust-missing-ec2')), scoped('trust-missing-ec2'), NO_CHANGES_YET).verdict).toBe('apply');
  });

  it('an EC2 write needs the tag on the instance: a tagged role of an untagged instance is not enough', () => {
    const d = decide(facts({ instances: [bareInstance()], role: role('app', { tags: OPT_IN }) }), scoped('no-instance-profile'));
    expect(d.plan.map((a) => a.type)).toContain('associate-profile');
    expect(guard(d, scoped('no-instance-profile'), NO_CHANGES_YET)).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/instance i-0aaa1111bbbb2222c is not tagged iam-autoheal=on/) });
  });

  it('a launch template write needs the tag on the template itself', () => {
    const plan = [
      { type: 'create-launch-template-version' as const, target: 'lt-0123', params: { profileName: 'app' }, reason: 'x' },
      { type: 'set-default-launch-template-version' as const, target: 'lt-0123', params: { profileName: 'app' }, reason: 'x' },
    ];
    const optIn = { tag: 'iam-autoheal=on', roles: [], instanceIds: ['i-0aaa1111bbbb2222c'], launchTemplateIds: ['lt-0123'], autoScalingGroups: ['web'] };
    expect(guard(diagnosis({ cause: 'stale-launch-template', plan }, { optIn }), scoped('stale-launch-template'), NO_CHANGES_YET).verdict).toBe('apply');
    const other = { ...optIn, launchTemplateIds: ['lt-0999'], autoScalingGroups: [] };
    expect(guard(diagnosis({ cause: 'stale-launch-template', plan }, { optIn: other }), scoped('stale-launch-template'), NO_CHANGES_YET)).toMatchObject({
      verdict: 'observe', reason: expect.stringMatching(/launch template lt-0123 is not tagged iam-autoheal=on/),
    });
  });

  // Auto Scaling requires ec2:RunInstances on the template to repin a group: the service is denied it (docs/SECURITY.md).
  it('never applies a group repin, tagged or not: it is left for a person with the command, the template repair goes ahead', () => {
    const plan = [
      { type: 'create-launch-template-version' as const, target: 'lt-0123', params: { profileName: 'app', sourceVersion: 1 }, reason: 'x' },
      { type: 'update-auto-scaling-group' as const, target: 'web', params: { launchTemplateId: 'lt-0123', profileName: 'app' }, reason: 'x' },
    ];
    for (const groups of [['web'], []]) {
      const optIn = { tag: 'iam-autoheal=on', roles: [], instanceIds: [], launchTemplateIds: ['lt-0123'], autoScalingGroups: groups };
      for (const mode of ['auto', 'approve'] as const) {
        const g = guard(diagnosis({ cause: 'stale-launch-template', plan }, { optIn }), scoped('stale-launch-template', mode), NO_CHANGES_YET);
        expect(g.allowed.map((a) => a.type), mode).toEqual(['create-launch-template-version']);
        expect(g.deferred.map((d) => d.action.type)).toEqual(['update-auto-scaling-group']);
        expect(g.deferred[0]!.reason).toMatch(/never updates Auto Scaling groups .*ec2:RunInstances/);
        expect(g.deferred[0]!.reason).toContain('aws autoscaling update-auto-scaling-group --auto-scaling-group-name web --launch-template LaunchTemplateId=lt-0123');
      }
    }
  });

  it('leaves the group of a tagged instance and template for a person, tagged or not; the template and instance are repaired', () => {
    const tagged = (tags: Record<string, string>): LaunchTemplateFacts => ({
      version: { launchTemplateId: 'lt-0123', launchTemplateName: 'web', versionNumber: 1, defaultVersion: true, iamInstanceProfile: null, tags },
      reference: '1', defaultVersion: 1,
    });
    const member = (groupTags: Record<string, string>) => bareInstance(INSTANCE, {
      info: { ...bareInstance().info!, tags: OPT_IN },
      autoScalingGroup: { name: 'web-asg', launchTemplate: { id: 'lt-0123', version: '1' }, template: tagged(OPT_IN), tags: groupTags },
    });
    const diagnose = (groupTags: Record<string, string>) =>
      decide(facts({ instances: [member(groupTags)], role: null, simulation: null }), scoped('stale-launch-template'));
    const untagged = diagnose({});
    expect(untagged.plan.map((a) => a.type)).toContain('update-auto-scaling-group');
    expect(untagged.subject.optIn).toMatchObject({ instanceIds: [INSTANCE], launchTemplateIds: ['lt-0123'], autoScalingGroups: [] });
    // The group's update is left for a person; the tagged template and instance are repaired (partially-fixed).
    for (const d of [untagged, diagnose(OPT_IN)]) {
      const g = guard(d, scoped('stale-launch-template'), NO_CHANGES_YET);
      expect(g.verdict).toBe('apply');
      expect(g.deferred.map((x) => [x.action.type, x.action.target])).toEqual([['update-auto-scaling-group', 'web-asg']]);
      expect(g.allowed.map((a) => a.type)).not.toContain('update-auto-scaling-group');
      expect(g.allowed.map((a) => a.type)).toContain('create-launch-template-version');
      expect(g.reason).toMatch(/Left for a person \(1\): update-auto-scaling-group web-asg/);
    }
  });

  it('refuses a template write when only the instances launched from it carry the tag', () => {
    const d = decide(facts({
      instances: [bareInstance(INSTANCE, {
        info: { ...bareInstance().info!, tags: OPT_IN },
        launchTemplate: { version: { launchTemplateId: 'lt-0123', launchTemplateName: 'web', versionNumber: 1, defaultVersion: true, iamInstanceProfile: null, tags: {} }, reference: '$Default', defaultVersion: 1 },
      })],
      role: null, simulation: null,
    }), scoped('stale-launch-template'));
    expect(d.plan[0]).toMatchObject({ type: 'create-launch-template-version', target: 'lt-0123' });
    const g = guard(d, scoped('stale-launch-template'), NO_CHANGES_YET);
    // The template's whole repair (new version, default switch) is left for a person; the tagged instance is associated.
    expect(g.deferred.map((x) => x.action.type)).toEqual(d.plan.filter((a) => a.target === 'lt-0123').map((a) => a.type));
    expect(g.deferred.every((x) => /launch template lt-0123 is not tagged iam-autoheal=on/.test(x.reason))).toBe(true);
    expect(g.allowed.map((a) => [a.type, a.target])).toEqual([['associate-profile', INSTANCE]]);
    expect(g.verdict).toBe('apply');
  });
});

describe('guard: handing out a profile or role', () => {
  const associate = (profileName: string) => ({ type: 'associate-profile' as const, target: INSTANCE, params: { profileName }, reason: 'x' });

  it('fails closed: a profile the diagnosis did not read (no handout facts) is never associated, in any mode', () => {
    for (const mode of MODES) {
      const g = guard(diagnosis({ plan: [associate('other')] }), cfg({ modes: allModes(mode), allowedInstanceProfiles: ['*'] }), NO_CHANGES_YET);
      expect(g).toMatchObject({ verdict: 'escalate', allowed: [] });
      expect(g.reason).toMatch(/nothing the diagnosis read shows who authorized profile other/);
    }
  });

  it('authority comes from configuration or the opt-in tag on the role or profile, never from the suggestion', () => {
    const unauthorized = { ...APP_HANDOUT, suggestedBy: ['tag iam-autoheal:profile on i-0aaa1111bbbb2222c'] };
    const scoped = { modes: allModes('auto'), allowedInstanceProfiles: [], scope: { tag: { key: 'iam-autoheal', value: 'on' } } };
    const verdict = (handout: typeof unauthorized, config: Record<string, unknown> = scoped) => guard(diagnosis({}, { handouts: [handout] }), cfg(config), NO_CHANGES_YET);
    expect(verdict(unauthorized).reason).toMatch(/only suggested \(by tag iam-autoheal:profile on i-0aaa1111bbbb2222c\).*tag the role or profile iam-autoheal=on, or name it in allowedInstanceProfiles or baselineInstanceProfile/);
    expect(verdict({ ...unauthorized, roleTags: { 'iam-autoheal': 'on' } }).verdict).toBe('apply');
    expect(verdict({ ...unauthorized, profileTags: { 'iam-autoheal': 'on' } }).verdict).toBe('apply');
    expect(verdict(unauthorized, { ...scoped, baselineInstanceProfile: 'app' }).verdict).toBe('apply');
    expect(verdict(unauthorized, { ...scoped, allowedInstanceProfiles: ['ap*'] }).verdict).toBe('apply');
    // Without a scope tag there is no opt-in tag: a role tag that looks like one authorizes nothing.
    expect(verdict({ ...unauthorized, roleTags: { 'iam-autoheal': 'on' } }, { ...scoped, scope: { tag: null } }).verdict).toBe('escalate');
  });

  it('a quarantined or privileged handout is refused whatever authorizes it', () => {
    const d = (over: Partial<typeof APP_HANDOUT>) => diagnosis({}, { handouts: [{ ...APP_HANDOUT, ...over }] });
    expect(guard(d({ profileTags: { 'iam-autoheal:quarantine': 'IR-1' } }), cfg(), NO_CHANGES_YET).reason).toMatch(/quarantine tag/);
    expect(guard(d({ privileged: 'inline policy x statement 1 allows "*" on "*"' }), cfg(), NO_CHANGES_YET).reason).toMatch(/is privileged — inline policy x statement 1 allows "\*" on "\*" — and a privileged role is never handed out, in any mode/);
  });

  it('a refresh of the instance\'s own association is authorized by that association; a merge of EC2 trust is not', () => {
    const inUse = { ...APP_HANDOUT, associatedWith: [INSTANCE] };
    const refresh = diagnosis({ cause: 'stale-credentials', plan: [{ type: 'replace-association', target: INSTANCE, params: { profileName: 'app', associationId: 'iip-assoc-1' }, reason: 'x' }] }, { handouts: [inUse] });
    expect(guard(refresh, cfg({ allowedInstanceProfiles: [] }), NO_CHANGES_YET).verdict).toBe('apply');
    const merge = diagnosis({ cause: 'trust-missing-ec2', plan: [{ type: 'merge-trust', target: 'app', params: {}, reason: 'x' }] }, { handouts: [inUse] });
    expect(guard(merge, cfg({ allowedInstanceProfiles: [] }), NO_CHANGES_YET).verdict).toBe('escalate');
  });
});

describe('guard: change budget', () => {
  it('an exhausted IAM budget turns an automatic change into an approval request: "change budget exhausted"', () => {
    const d = diagnosis({ cause: 'trust-missing-ec2', plan: [{ type: 'merge-trust', target: 'app', params: {}, reason: 'x' }] });
    const config = cfg({ limits: { iamChangesPerAccountPerHour: 20 } });
    expect(guard(d, config, { iamChangesThisHour: 19, ec2ChangesThisHour: 0 }).verdict).toBe('apply');
    const g = guard(d, config, { iamChangesThisHour: 20, ec2ChangesThisHour: 0 });
    expect(g.verdict).toBe('await-approval');
    expect(g.reason).toMatch(/^change budget exhausted/);
  });

  it('EC2 changes have their own, larger budget: IAM exhaustion does not block an association', () => {
    const config = cfg({ limits: { iamChangesPerAccountPerHour: 20, ec2ChangesPerAccountPerHour: 1000 } });
    expect(guard(diagnosis(), config, { iamChangesThisHour: 20, ec2ChangesThisHour: 5 }).verdict).toBe('apply');
    expect(guard(diagnosis(), config, { iamChangesThisHour: 0, ec2ChangesThisHour: 1000 }).reason).toMatch(/^change budget exhausted/);
  });
});

describe('guard: grants come only from expectedPermissions, never from the never-grant list', () => {
  const missing = (plan: ReturnType<typeof inlineGrant>[], subject = {}) => diagnosis({ cause: 'missing-permission', plan }, subject);

  it('a declared statement for the role is applied (in auto mode)', () => {
    const g = guard(missing([inlineGrant([READ])]), cfg({ modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role: 'app*', statements: [READ] }] }), NO_CHANGES_YET);
    expect(g.verdict).toBe('apply');
    expect(g.allowed).toHaveLength(1);
  });

  it('an undeclared statement is refused, even one that is harmless', () => {
    const g = guard(missing([inlineGrant([READ])]), cfg({ modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role: 'other', statements: [READ] }] }), NO_CHANGES_YET);
    expect(g.allowed).toEqual([]);
    expect(g.refused[0]!.reason).toMatch(/declares nothing for role app/);
    expect(g.verdict).toBe('escalate');
  });

  it('an iam:CreateUser denial never becomes a grant, even with iam:* declared for that role, in every mode', () => {
    const iamStar = { Effect: 'Allow', Action: 'iam:*', Resource: '*' };
    for (const mode of MODES) {
      const config = cfg({ modes: allModes(mode), expectedPermissions: [{ role: '*', statements: [iamStar], policyArns: ['arn:aws:iam::aws:policy/IAMFullAccess'] }] });
      const f = facts({ denied: { ...facts().denied, action: 'iam:CreateUser', resource: 'arn:aws:iam::111122223333:user/mallory' }, simulation: { action: 'iam:CreateUser', resource: 'arn:aws:iam::111122223333:user/mallory', decision: 'implicitDeny', matchedStatements: [] }, declaredPolicies: { 'arn:aws:iam::aws:policy/IAMFullAccess': { Version: '2012-10-17', Statement: [iamStar] } } });
      const d = decide(f, config);
      expect(d.cause).toBe('missing-permission');
      const g = guard(d, config, NO_CHANGES_YET);
      expect(g.allowed.filter((a) => a.type === 'attach-policy' || a.type === 'put-inline-policy')).toEqual([]);
      expect(g.verdict).not.toBe('apply');
      expect(g.verdict).not.toBe('await-approval');
      expect(g.refused.map((r) => r.reason).join(' ')).toMatch(/iam:CreateUser is on the never-grant list|never-grant/);
    }
  });

  it('a proposal of a never-grant action is not even proposed', () => {
    const propose = { type: 'propose-policy' as const, target: 'app', params: { statement: { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/admin' } }, reason: 'x' };
    const g = guard(diagnosis({ cause: 'missing-permission', plan: [propose] }, { action: 'iam:PassRole' }), cfg({}), NO_CHANGES_YET);
    expect(g.allowed).toEqual([]);
    expect(g.refused[0]!.reason).toMatch(/not even proposed: iam:PassRole is on the never-grant list/);
  });

  const dangerous: Array<[string, Record<string, unknown>]> = [
    ['iam:PassRole', { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/app' }],
    ['iam:Create* (a wildcard reaching IAM writes)', { Effect: 'Allow', Action: 'iam:Create*', Resource: 'arn:aws:iam::111122223333:user/x' }],
    ['iam:*', { Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::111122223333:role/app' }],
    ['sts:AssumeRole on *', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
    ['sts:Assume* on a role path wildcard', { Effect: 'Allow', Action: 'sts:Assume*', Resource: 'arn:aws:iam::111122223333:role/*' }],
    ['action *', { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/key' }],
    ['s3:*', { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' }],
    ['resource *', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    ['resource arn:aws:s3:::*', { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }],
    ['NotAction', { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::bucket/*' }],
    ['NotResource', { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' }],
    ['organizations:LeaveOrganization', { Effect: 'Allow', Action: 'organizations:LeaveOrganization', Resource: 'arn:aws:organizations::111122223333:account/o-1/111122223333' }],
    ['kms:PutKeyPolicy', { Effect: 'Allow', Action: 'kms:PutKeyPolicy', Resource: 'arn:aws:kms:eu-west-1:111122223333:key/1' }],
    ['kms:CreateGrant', { Effect: 'Allow', Action: 'kms:creategrant', Resource: 'arn:aws:kms:eu-west-1:111122223333:key/1' }],
    ['ec2:ReplaceIamInstanceProfileAssociation', { Effect: 'Allow', Action: 'ec2:ReplaceIamInstanceProfileAssociation', Resource: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-1' }],
    ['cloudtrail:StopLogging', { Effect: 'Allow', Action: ['s3:GetObject', 'cloudtrail:StopLogging'], Resource: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' }],
  ];
  for (const [name, statement] of dangerous) {
    it(`never grants ${name}, even declared, in any mode, inline or in a declared managed policy`, () => {
      for (const mode of MODES) {
        const policyArn = 'arn:aws:iam::111122223333:policy/declared';
        const config = cfg({ modes: allModes(mode), expectedPermissions: [{ role: '*', statements: [statement], policyArns: [policyArn] }] });
        const g = guard(missing([inlineGrant([statement]), attachGrant(policyArn, [statement])]), config, NO_CHANGES_YET);
        expect(g.allowed).toEqual([]);
        expect(g.refused).toHaveLength(2);
        expect(g.verdict).toBe('escalate');
      }
    });
  }

  it('never attaches AdministratorAccess or a *FullAccess managed policy, whatever its document says', () => {
    for (const arn of ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/AmazonS3FullAccess']) {
      const config = cfg({ modes: allModes('auto'), expectedPermissions: [{ role: 'app', policyArns: [arn] }] });
      const g = guard(missing([attachGrant(arn, [READ])]), config, NO_CHANGES_YET);
      expect(g.refused[0]!.reason).toMatch(/never attached automatically/);
    }
  });

  it('a declared managed policy whose document could not be read is refused', () => {
    const arn = 'arn:aws:iam::111122223333:policy/app-read';
    const action = { type: 'attach-policy' as const, target: 'app', params: { policyArn: arn }, reason: 'x' };
    const g = guard(missing([action]), cfg({ modes: allModes('auto'), expectedPermissions: [{ role: 'app', policyArns: [arn] }] }), NO_CHANGES_YET);
    expect(g.refused[0]!.reason).toMatch(/could not be read/);
  });

  it('a declared managed policy with a narrow document is attached; a safe statement next to a refused one still goes through', () => {
    const arn = 'arn:aws:iam::111122223333:policy/app-read';
    const config = cfg({ modes: allModes('auto'), expectedPermissions: [{ role: 'app', policyArns: [arn], statements: [READ] }] });
    const g = guard(missing([attachGrant(arn, [READ]), inlineGrant([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }])]), config, NO_CHANGES_YET);
    expect(g.verdict).toBe('apply');
    expect(g.allowed.map((a) => a.type)).toEqual(['attach-policy']);
    expect(g.reason).toMatch(/Refused: /);
  });
});
