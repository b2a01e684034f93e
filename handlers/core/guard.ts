/**
 * The guard: may this plan run, and how? Pure. Grants come only from expectedPermissions, the
 * never-grant list beats every configuration, forged-looking denials never change anything, and a profile
 * or role is handed to instances only when IAM administrators authorized it and it is not privileged.
 */
import { isFixable, type Mode } from './causes.ts';
import type { Config } from './config.ts';
import { INSTANCE_ACTIONS, type Diagnosis, type GuardDecision, type PlannedAction } from './incident.ts';
import type { PolicyDocument } from './ports.ts';
import { handoutRefusal, handoutTargetOf } from './policy/authority.ts';
import { documentRefusal, managedPolicyRefusal, neverGrantReason, statementRefusal } from './policy/never-grant.ts';
import { expectedPermissionsFor } from './policy/principal.ts';
import { sameJson, statementsOf } from './policy/statements.ts';
import { REMEDIATIONS } from './remediations/index.ts';

export interface GuardContext {
  iamChangesThisHour: number;
  ec2ChangesThisHour: number;
  /** Set by callers that already decided scope (e.g. an operator running a fix by hand); otherwise config.scope decides. */
  inScope?: boolean;
}

const GRANTS = new Set(['attach-policy', 'put-inline-policy']);

/** Why this grant may not happen; null when the operator declared it and nothing in it is on the never-grant list. */
function grantRefusal(action: PlannedAction, diagnosis: Diagnosis, config: Config): string | null {
  const roleName = action.target;
  const denied = diagnosis.subject.action;
  if (denied && neverGrantReason(denied, diagnosis.subject.resource ? [diagnosis.subject.resource] : [])) {
    return `the denied action ${denied} is on the never-grant list; nothing is granted for it, whatever is declared`;
  }
  const entries = expectedPermissionsFor(roleName, config.expectedPermissions);
  if (entries.length === 0) return `expectedPermissions declares nothing for role ${roleName}; grants come only from that declaration`;
  if (action.type === 'attach-policy') {
    const policyArn = String(action.params.policyArn ?? '');
    if (!entries.some((e) => e.policyArns.includes(policyArn))) return `${policyArn} is not declared in expectedPermissions for ${roleName}`;
    const byName = managedPolicyRefusal(policyArn);
    if (byName) return byName;
    const document = action.params.document as PolicyDocument | undefined;
    if (!document) return `the document of ${policyArn} could not be read, so it cannot be shown to grant nothing on the never-grant list`;
    return documentRefusal(document);
  }
  const document = action.params.document as PolicyDocument | undefined;
  const statements = statementsOf(document);
  if (statements.length === 0) return 'the inline policy has no statements';
  const declared = entries.flatMap((e) => e.statements);
  for (const statement of statements) {
    if (!declared.some((d) => sameJson(d, statement))) return `a statement of the inline policy is not declared in expectedPermissions for ${roleName}`;
    const refusal = statementRefusal(statement);
    if (refusal) return refusal;
  }
  return null;
}

function refusalOf(action: PlannedAction, diagnosis: Diagnosis, config: Config): string | null {
  if (GRANTS.has(action.type)) return grantRefusal(action, diagnosis, config);
  if (handoutTargetOf(action)) return handoutRefusal(action, diagnosis.subject.handouts ?? [], config);
  if (action.type === 'propose-policy') {
    const statement = (action.params.statement ?? {}) as Record<string, unknown>;
    const actions = ([] as unknown[]).concat(statement.Action ?? []).map(String);
    const reason = actions.map((a) => neverGrantReason(a, [])).find(Boolean);
    return reason ? `not even proposed: ${reason}` : null;
  }
  return null;
}

type OptIn = NonNullable<Diagnosis['subject']['optIn']>;
type OptInList = Exclude<keyof OptIn, 'tag'>;

/** Resource kinds whose own opt-in tag a write needs, as `ARN` (remediations/lookups.ts) names them. */
export type OptInResource = 'role' | 'instance' | 'launchTemplate' | 'autoScalingGroup';

/**
 * The resource each write needs the opt-in tag on: the one whose aws:ResourceTag the remediation policy
 * conditions it on (its `taggable` permission), so the guard never says yes to what IAM will refuse.
 */
export const OPT_IN_RESOURCE: Partial<Record<PlannedAction['type'], OptInResource>> = {
  'merge-trust': 'role',
  'attach-policy': 'role',
  'put-inline-policy': 'role',
  'associate-profile': 'instance',
  'replace-association': 'instance',
  'create-launch-template-version': 'launchTemplate',
  'set-default-launch-template-version': 'launchTemplate',
};

const OPT_IN_LISTS: Record<OptInResource, { list: OptInList; noun: string }> = {
  role: { list: 'roles', noun: 'role' },
  instance: { list: 'instanceIds', noun: 'instance' },
  launchTemplate: { list: 'launchTemplateIds', noun: 'launch template' },
  autoScalingGroup: { list: 'autoScalingGroups', noun: 'Auto Scaling group' },
};
const MAX_NAMED = 5;

/** Where a change needs the opt-in tag and it is not there; null when it is (or the change needs none). */
function missingOptIn(action: PlannedAction, optIn: OptIn | null, tag: string): string | null {
  const resource = OPT_IN_RESOURCE[action.type];
  if (resource) {
    const { list, noun } = OPT_IN_LISTS[resource];
    return optIn?.[list].includes(action.target) ? null : `${noun} ${action.target} is not tagged ${tag}`;
  }
  // Adding a role to a profile changes what the incident's instances receive: the tag on the role or an instance.
  if (action.type === 'add-role-to-profile') return optIn && (optIn.roles.length || optIn.instanceIds.length) ? null : `neither the role nor an instance is tagged ${tag}`;
  return null;
}

/** The launch template whose repair an action is part of: a new version and what makes launches use it go together. */
function templateOf(action: PlannedAction): string | null {
  if (action.type === 'update-auto-scaling-group') return typeof action.params.launchTemplateId === 'string' ? action.params.launchTemplateId : null;
  return action.type === 'create-launch-template-version' || action.type === 'set-default-launch-template-version' ? action.target : null;
}

/** A part of a plan that can be applied without the rest: one instance's association, one template's repair. */
const separable = (action: PlannedAction): boolean => INSTANCE_ACTIONS.has(action.type) || templateOf(action) !== null;

type Deferred = GuardDecision['deferred'];

interface ScopeSplit {
  /** Why nothing of the plan may be written (account, region, or a part every other part relies on). */
  whole: string | null;
  /** The parts left for a person while the rest is applied. */
  deferred: Deferred;
}

function listed(reasons: string[]): string {
  const unique = [...new Set(reasons)];
  const more = unique.length > MAX_NAMED ? ` and ${unique.length - MAX_NAMED} more` : '';
  return `${unique.slice(0, MAX_NAMED).join('; ')}${more}`;
}

/**
 * Scope, per planned action. Instances and launch templates without the opt-in tag are left for a person (with the
 * change proposed) while the tagged ones are repaired; a template's repair stands or falls as a unit. Anything else
 * out of scope — the account, the region, the role or profile every association relies on — stops the whole plan.
 */
function scopeSplit(diagnosis: Diagnosis, changes: PlannedAction[], config: Config): ScopeSplit {
  const { accountId, region } = diagnosis.subject;
  const scope = config.scope;
  if (scope.accounts.length && !scope.accounts.includes(accountId)) return { whole: `account ${accountId} is not in scope.accounts`, deferred: [] };
  if (scope.regions.length && !scope.regions.includes(region)) return { whole: `region ${region} is not in scope.regions`, deferred: [] };
  if (!scope.tag) return { whole: null, deferred: [] };
  const tag = `${scope.tag.key}=${scope.tag.value}`;
  // A diagnosis made for another scope tag (or none) says nothing about this one.
  const optIn = diagnosis.subject.optIn?.tag === tag ? diagnosis.subject.optIn : null;
  const missing = new Map<PlannedAction, string>();
  for (const action of changes) {
    const reason = missingOptIn(action, optIn, tag);
    if (reason) missing.set(action, reason);
  }
  if (missing.size === 0) return { whole: null, deferred: [] };
  const whole = `${listed([...missing.values()])} (the opt-in tag; IAM would refuse these changes)`;
  if ([...missing.keys()].some((a) => !separable(a))) return { whole, deferred: [] };
  const templatesOut = new Set([...missing.keys()].filter((a) => a.type !== 'update-auto-scaling-group').map(templateOf).filter((id) => id !== null));
  const inRepairOf = (a: PlannedAction): boolean => { const id = templateOf(a); return id !== null && templatesOut.has(id); };
  const deferred = changes
    .filter((a) => missing.has(a) || inRepairOf(a))
    .map((action) => ({ action, reason: `out of scope: ${missing.get(action) ?? `part of the repair of launch template ${templateOf(action)}, which is not tagged ${tag}`}` }));
  return deferred.length === changes.length ? { whole, deferred: [] } : { whole: null, deferred };
}

function writesOf(actions: PlannedAction[]): { iam: number; ec2: number } {
  const count = { iam: 0, ec2: 0 };
  for (const a of actions) {
    const kind = REMEDIATIONS.find((r) => r.type === a.type)?.writes;
    if (kind === 'iam' || kind === 'ec2') count[kind] += 1;
  }
  return count;
}

const STRICTNESS: Record<Mode, number> = { observe: 0, approve: 1, auto: 2 };

/** A plan that repairs several causes (different profiles of one incident) runs in the strictest of their modes. */
/** The cause, and the other causes the plan repairs: "a" or "a and b (the strictest mode)". */
function causesOf(diagnosis: Diagnosis): string {
  const also = diagnosis.alsoCauses ?? [];
  return also.length ? `${[diagnosis.cause, ...also].join(' and ')} (the strictest of their modes)` : diagnosis.cause;
}

function strictestMode(diagnosis: Diagnosis, config: Config): Mode {
  const modes = [diagnosis.cause, ...(diagnosis.alsoCauses ?? [])].map((c) => (isFixable(c) ? config.modes[c] : 'observe'));
  return modes.reduce((a, b) => (STRICTNESS[b] < STRICTNESS[a] ? b : a));
}

export function guard(diagnosis: Diagnosis, config: Config, ctx: GuardContext): GuardDecision {
  const refused: GuardDecision['refused'] = [];
  let allowed: PlannedAction[] = [];
  for (const action of diagnosis.plan) {
    const reason = refusalOf(action, diagnosis, config);
    if (reason) refused.push({ action, reason });
    else allowed.push(action);
  }
  let deferred: Deferred = [];
  const decision = (verdict: GuardDecision['verdict'], mode: Mode | null, reason: string): GuardDecision => ({ verdict, mode, reason, allowed, refused, deferred });
  const overBudget = (d: GuardDecision): GuardDecision => ({ ...d, overBudget: true });
  const refusedNote = refused.length ? ` Refused: ${refused.map((r) => r.reason).join('; ')}.` : '';

  if (diagnosis.healthy) return decision('nothing-to-do', null, `Nothing to fix: ${diagnosis.summary}`);
  if (!isFixable(diagnosis.cause)) {
    return decision('escalate', null, `${diagnosis.cause} is never changed automatically${diagnosis.owner ? `; talk to ${diagnosis.owner}` : ''}.${refusedNote}`);
  }
  const mode = strictestMode(diagnosis, config);
  const handoutRefused = refused.filter((r) => handoutTargetOf(r.action));
  const planned = [...allowed.filter((a) => a.type !== 'propose-policy'), ...handoutRefused.map((r) => r.action)];
  const split: ScopeSplit = ctx.inScope === true ? { whole: null, deferred: [] } : ctx.inScope === false ? { whole: 'the caller marked it out of scope', deferred: [] } : scopeSplit(diagnosis, planned, config);
  if (split.whole && planned.length) return decision('observe', mode, `Out of scope: ${split.whole}; nothing is changed.${refusedNote}`);
  // One refused handout stops the whole plan: its other steps were planned around it (template, then instances).
  if (handoutRefused.length) {
    return { verdict: 'escalate', mode, allowed: [], refused, deferred,
      reason: `Refused in every mode: ${listed(handoutRefused.map((r) => r.reason))}. Nothing is changed; a person must decide.` };
  }
  // Changes the service never makes (it is not granted what they need) are always a person's, whatever the scope.
  const inSplit = new Set(split.deferred.map((d) => d.action));
  const forPerson = allowed.flatMap((action) => {
    const why = inSplit.has(action) ? undefined : REMEDIATIONS.find((r) => r.type === action.type)?.leftForPerson?.(action);
    return why ? [{ action, reason: why }] : [];
  });
  deferred = [...split.deferred, ...forPerson];
  const left = new Set(deferred.map((d) => d.action));
  allowed = allowed.filter((a) => !left.has(a));
  const deferredNote = deferred.length ? ` Left for a person (${deferred.length}): ${listed(deferred.map((d) => `${d.action.type} ${d.action.target}`))}.` : '';
  const changes = allowed.filter((a) => a.type !== 'propose-policy');
  if (changes.length === 0) {
    const proposed = allowed.some((a) => a.type === 'propose-policy');
    return decision('escalate', mode, proposed
      ? `Nothing declared in expectedPermissions covers this; a least-privilege statement is proposed for a human to review and is never applied.${refusedNote}`
      : `No safe change is known for ${diagnosis.cause}; a human must decide.${refusedNote}${deferredNote}`);
  }
  if (!diagnosis.subject.ec2Delivered) {
    return decision('observe', mode, `The denied credentials carry no ec2RoleDelivery, so nothing proves EC2 delivered them (anyone allowed to assume the role can name a session i-…); diagnosed only, nothing is changed automatically.${refusedNote}`);
  }
  if (mode === 'observe') return decision('observe', mode, `Mode for ${causesOf(diagnosis)} is observe: the plan is reported, nothing is changed.${refusedNote}`);

  const writes = writesOf(changes);
  const { iamChangesPerAccountPerHour: iamLimit, ec2ChangesPerAccountPerHour: ec2Limit } = config.limits;
  if (ctx.iamChangesThisHour + writes.iam > iamLimit || ctx.ec2ChangesThisHour + writes.ec2 > ec2Limit) {
    return overBudget(decision('await-approval', mode,
      `change budget exhausted: this plan needs ${writes.iam} IAM and ${writes.ec2} EC2 change(s); ${ctx.iamChangesThisHour}/${iamLimit} IAM and ${ctx.ec2ChangesThisHour}/${ec2Limit} EC2 changes already made in account ${diagnosis.subject.accountId} this hour. A human must approve.${refusedNote}${deferredNote}`));
  }
  if (mode === 'approve') return decision('await-approval', mode, `Mode for ${causesOf(diagnosis)} is approve: waiting for a human to approve ${changes.length} change(s).${refusedNote}${deferredNote}`);
  if (diagnosis.reducedConfidence) {
    return decision('await-approval', mode, `Mode for ${causesOf(diagnosis)} is auto, but the cause was ${diagnosis.reducedConfidence}: waiting for a human to approve ${changes.length} change(s).${refusedNote}${deferredNote}`);
  }
  return decision('apply', mode, `Mode for ${causesOf(diagnosis)} is auto: applying ${changes.length} step(s).${refusedNote}${deferredNote}`);
}

/**
 * Decided again after an approval wait: the approval holds only for the plan the approver saw. The same actions
 * (type, target and parameters) under a verdict that may change them go ahead, and so do fewer of them (the new plan,
 * a part of the approved one: instances gone or fixed meanwhile); anything else is the account having changed
 * meanwhile, and nothing is applied on the old answer.
 */
export function recheckAfterApproval(decision: GuardDecision, approved: readonly PlannedAction[]): { unchanged: boolean; reason: string } {
  const mayChange = decision.verdict === 'apply' || decision.verdict === 'await-approval';
  if (mayChange && sameJson(decision.allowed, approved)) return { unchanged: true, reason: 'decided again after the approval: the same plan' };
  // Fewer of the same changes (instances terminated or fixed meanwhile): what is left was approved, nothing else is added.
  const changes = decision.allowed.filter((a) => a.type !== 'propose-policy');
  if (mayChange && changes.length > 0 && decision.allowed.every((a) => approved.some((b) => sameJson(a, b)))) {
    const dropped = approved.length - decision.allowed.length;
    return { unchanged: true, reason: `decided again after the approval: the approved plan less ${dropped} change(s) no longer needed (instances terminated or fixed meanwhile)` };
  }
  if (decision.verdict === 'nothing-to-do') return { unchanged: false, reason: 'decided again after the approval: nothing is broken any more, nothing applied' };
  const now = mayChange ? decision.allowed.map((a) => `${a.type} ${a.target}`).join(', ') || 'no action' : `${decision.verdict}: ${decision.reason.replace(/\.+$/, '')}`;
  const then = approved.map((a) => `${a.type} ${a.target}`).join(', ');
  return { unchanged: false, reason: `the account changed while waiting for the approval: approved ${then}; decided again: ${now}. Nothing applied on the old answer` };
}
