/**
 * The Slack buttons: AWS Chatbot (Amazon Q Developer in chat applications) custom actions attached to our custom
 * notifications by criteria on their variables (`metadata.additionalContext`, handlers/core/notification.ts). Each
 * button sends one message to the answer queue — "approve/<incident>/<approval>", "reject/…", "undo/<incident>",
 * "details/<incident>" — which the answer function answers with the sender SQS authenticated.
 *
 * The service's rules, checked here at synth (AWS::Chatbot::CustomAction, Chatbot API reference):
 * ActionName ^[a-zA-Z0-9_-]{1,64}$ (part of the ARN, unique in the account); AliasName ^[A-Za-z0-9-_]{1,30}$;
 * Definition.CommandText 1–100 characters ($name reads a variable); ButtonText 1–50 characters; NotificationType
 * ^[a-zA-Z0-9-]{1,100}$ ("Custom" for custom notifications); 1–5 Criteria, Operator HAS_VALUE | EQUALS, VariableName
 * ^[A-Za-z0-9-_]{1,100}$, Value ≤ 1,024 characters; at most 5 Variables, name ^[A-Za-z0-9-_]{1,100}$, value ≤ 1,024
 * printable ASCII ([\x21-\x7F]+): the path of the notification field it reads, e.g. event.metadata.additionalContext.incident.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { CfnCustomAction } from 'aws-cdk-lib/aws-chatbot';
import { Construct } from 'constructs';
import { BUTTON_VARIABLES } from '../handlers/core/notification.ts';

export const CUSTOM_NOTIFICATION_TYPE = 'Custom';
/** The longest region name (ap-southeast-4, ap-northeast-3): what an unresolved region may take in a command. */
const LONGEST_REGION = 14;

export interface ButtonSpec {
  /** Suffix of the action name (`<prefix>-<name>`) and the alias. */
  name: 'approve' | 'reject' | 'undo' | 'details';
  buttonText: string;
  /** What the button sends: `sqs send-message …` with `$variables`. */
  commandText: string;
  criteria: Array<{ operator: 'HAS_VALUE' | 'EQUALS'; variableName: string; value?: string }>;
  /** Variable name → the notification field it reads. */
  variables: Record<string, string>;
}

export class CustomActionLimitError extends Error {
  override readonly name = 'CustomActionLimitError' as const;
}

const field = (key: string) => `event.metadata.additionalContext.${key}`;

/** The four buttons; `region` is the deployment's (the answer queue's), `--region` so that any channel region works. */
export function buttonSpecs(region: string): ButtonSpec[] {
  const send = (body: string) => `sqs send-message --region ${region} --queue-url $q --message-body ${body}`;
  const base = { q: field(BUTTON_VARIABLES.queue), i: field(BUTTON_VARIABLES.incident) };
  const queued = { operator: 'HAS_VALUE' as const, variableName: 'q' };
  const approval = { ...base, a: field(BUTTON_VARIABLES.approval) };
  return [
    { name: 'approve', buttonText: 'Approve', commandText: send('approve/$i/$a'), criteria: [queued, { operator: 'HAS_VALUE', variableName: 'a' }], variables: approval },
    { name: 'reject', buttonText: 'Reject', commandText: send('reject/$i/$a'), criteria: [queued, { operator: 'HAS_VALUE', variableName: 'a' }], variables: approval },
    { name: 'undo', buttonText: 'Undo', commandText: send('undo/$i'), criteria: [queued, { operator: 'EQUALS', variableName: 'u', value: 'yes' }], variables: { ...base, u: field(BUTTON_VARIABLES.undo) } },
    { name: 'details', buttonText: 'Details', commandText: send('details/$i'), criteria: [queued, { operator: 'HAS_VALUE', variableName: 'i' }], variables: base },
  ];
}

const NAME = /^[A-Za-z0-9_-]+$/;
const PRINTABLE = /^[\x21-\x7F]+$/;

/** Length of a string whose tokens are unresolved: each token counted as its longest possible value. */
function worstLength(text: string, tokenLength: number): number {
  return Token.isUnresolved(text) ? text.replace(/\$\{Token\[[^\]]+\]\}/g, 'x'.repeat(tokenLength)).length : text.length;
}

/** Every rule of the service for one action; throws CustomActionLimitError naming the field. */
export function validateCustomAction(actionName: string, aliasName: string, spec: ButtonSpec): void {
  const fail = (what: string) => { throw new CustomActionLimitError(`custom action ${actionName}: ${what}`); };
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(actionName)) fail('ActionName must match ^[a-zA-Z0-9_-]{1,64}$');
  if (!/^[A-Za-z0-9-_]{1,30}$/.test(aliasName)) fail(`AliasName "${aliasName}" must be 1–30 of [A-Za-z0-9-_]`);
  const commandLength = worstLength(spec.commandText, LONGEST_REGION);
  if (commandLength < 1 || commandLength > 100) fail(`CommandText is ${commandLength} characters (at most 100): ${spec.commandText}`);
  if (spec.buttonText.length < 1 || spec.buttonText.length > 50) fail(`ButtonText must be 1–50 characters, not ${spec.buttonText.length}`);
  if (!/^[a-zA-Z0-9-]{1,100}$/.test(CUSTOM_NOTIFICATION_TYPE)) fail('NotificationType');
  if (spec.criteria.length < 1 || spec.criteria.length > 5) fail(`1–5 criteria, not ${spec.criteria.length}`);
  const names = Object.keys(spec.variables);
  if (names.length > 5) fail(`at most 5 variables, not ${names.length}`);
  for (const [name, path] of Object.entries(spec.variables)) {
    if (!NAME.test(name) || name.length > 100) fail(`variable name "${name}" must be 1–100 of [A-Za-z0-9-_]`);
    if (path.length > 1024 || !PRINTABLE.test(path)) fail(`variable ${name}: its value must be 1–1,024 printable ASCII characters`);
  }
  for (const c of spec.criteria) {
    if (!NAME.test(c.variableName) || c.variableName.length > 100) fail(`criteria variable "${c.variableName}" must be 1–100 of [A-Za-z0-9-_]`);
    if (!names.includes(c.variableName)) fail(`criteria read variable "${c.variableName}", which the action does not define`);
    if ((c.value ?? '').length > 1024) fail('a criteria value is at most 1,024 characters');
    if (c.operator === 'EQUALS' && c.value === undefined) fail('EQUALS needs a value');
  }
  for (const used of spec.commandText.match(/\$[A-Za-z0-9_-]+/g) ?? []) {
    if (!names.includes(used.slice(1))) fail(`CommandText reads ${used}, which the action does not define`);
  }
}

export interface AnswerButtonsProps {
  /** A short prefix unique to the deployment: `<prefix>-approve`, … (names are unique per account). */
  namePrefix: string;
}

/** The custom actions, validated; their ARNs go to the Slack channel configuration (`customizationResourceArns`). */
export class AnswerButtons extends Construct {
  readonly actions: CfnCustomAction[];

  constructor(scope: Construct, id: string, props: AnswerButtonsProps) {
    super(scope, id);
    this.actions = buttonSpecs(Stack.of(this).region).map((spec) => {
      const actionName = `${props.namePrefix}-${spec.name}`;
      const aliasName = actionName.slice(0, 30);
      validateCustomAction(actionName, aliasName, spec);
      return new CfnCustomAction(this, spec.name, {
        actionName,
        aliasName,
        definition: { commandText: spec.commandText },
        attachments: [{ notificationType: CUSTOM_NOTIFICATION_TYPE, buttonText: spec.buttonText, criteria: spec.criteria, variables: spec.variables }],
      });
    });
  }
}
