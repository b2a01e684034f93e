/** StsPort: decodes EC2's encoded authorization failure messages; says whose credentials are in use. */
import {
  AssumeRoleCommand, type AssumeRoleCommandInput, type AssumeRoleCommandOutput, DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, STSClient,
} from '@aws-sdk/client-sts';
import type { StsPort } from '../../core/ports.ts';
import { awsClient, type CredentialsIdentity } from './clients.ts';
import { awsErrorOf, mapErrors, toPortError } from './errors.ts';

/** The port of one account and region. */
export function stsPortOf(region: string, identity?: CredentialsIdentity): AwsStsPort {
  return new AwsStsPort(awsClient(STSClient, region, identity));
}

/** AssumeRole with the default credentials (the hub's own): assume-role.ts loads this module on its first call. */
export function assumeRoleCall(region: string, input: AssumeRoleCommandInput): Promise<AssumeRoleCommandOutput> {
  return mapErrors(awsClient(STSClient, region).send(new AssumeRoleCommand(input)));
}

// A truncated blob is invalid; without sts:DecodeAuthorizationMessage we are denied. Neither is a failure of the diagnosis.
const UNDECODABLE = new Set(['InvalidAuthorizationMessage', 'AccessDenied']);

export class AwsStsPort implements StsPort {
  constructor(private readonly client: STSClient) {}

  async decodeAuthorizationMessage(encoded: string): Promise<Record<string, unknown> | null> {
    let decoded: string | undefined;
    try {
      decoded = (await this.client.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))).DecodedMessage;
    } catch (err) {
      if (UNDECODABLE.has(awsErrorOf(err)?.code ?? '')) return null;
      throw toPortError(err);
    }
    try {
      return decoded ? (JSON.parse(decoded) as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  async callerIdentity(): Promise<{ accountId: string; arn: string }> {
    const out = await mapErrors(this.client.send(new GetCallerIdentityCommand({})));
    if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity returned no account');
    return { accountId: out.Account, arn: out.Arn };
  }
}
