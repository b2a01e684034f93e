import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DecodeAuthorizationMessageCommand, InvalidAuthorizationMessageException, STSClient } from '@aws-sdk/client-sts';
import { AwsStsPort } from '../../../handlers/adapters/aws/sts.ts';
import { ThrottlingError } from '../../../handlers/core/ports.ts';
import { awsError, clientConfig } from './fake-aws.ts';

const stsMock = mockClient(STSClient);
const sts = new AwsStsPort(new STSClient(clientConfig));

beforeEach(() => stsMock.reset());

describe('AwsStsPort.decodeAuthorizationMessage', () => {
  it('returns the parsed decoded message', async () => {
    const decoded = { allowed: false, explicitDeny: false, context: { action: 'ec2:RunInstances', principal: { arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc' } } };
    stsMock.on(DecodeAuthorizationMessageCommand).resolves({ DecodedMessage: JSON.stringify(decoded) });
    expect(await sts.decodeAuthorizationMessage('AbCdEf')).toEqual(decoded);
    expect(stsMock.commandCalls(DecodeAuthorizationMessageCommand)[0].args[0].input).toEqual({ EncodedMessage: 'AbCdEf' });
  });

  it('returns null for a truncated message or when decoding is not allowed', async () => {
    stsMock.on(DecodeAuthorizationMessageCommand, { EncodedMessage: 'cut...' })
      .rejects(new InvalidAuthorizationMessageException({ message: 'invalid', $metadata: {} }));
    stsMock.on(DecodeAuthorizationMessageCommand, { EncodedMessage: 'secret' }).rejects(awsError('AccessDenied', 'not authorized to perform: sts:DecodeAuthorizationMessage'));
    expect(await sts.decodeAuthorizationMessage('cut...')).toBeNull();
    expect(await sts.decodeAuthorizationMessage('secret')).toBeNull();
  });

  it('still reports throttling, so that the workflow retries', async () => {
    stsMock.on(DecodeAuthorizationMessageCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(sts.decodeAuthorizationMessage('AbCdEf')).rejects.toBeInstanceOf(ThrottlingError);
  });
});
