import { describe, expect, it } from 'vitest';
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { AwsCallError, NotFoundError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';
import { isNotFound, toPortError } from '../../../handlers/adapters/aws/errors.ts';
import { awsError } from './fake-aws.ts';

describe('toPortError', () => {
  it.each([
    ['Throttling', 'Rate exceeded'],
    ['ThrottlingException', 'slow down'],
    ['RequestLimitExceeded', 'Request limit exceeded.'],
    ['TooManyRequestsException', 'too many'],
    ['SomethingElse', 'Rate exceeded'],
  ])('maps %s (%s) to a ThrottlingError named "Throttling"', (code, message) => {
    const mapped = toPortError(awsError(code, message));
    expect(mapped).toBeInstanceOf(ThrottlingError);
    expect((mapped as Error).name).toBe('Throttling');
  });

  it.each([
    ['EntityTemporarilyUnmodifiableException', 'EntityTemporarilyUnmodifiable'],
    ['IncorrectState', 'IncorrectState'],
    ['IncorrectInstanceState', 'IncorrectInstanceState'],
    ['ServiceUnavailable', 'ServiceUnavailable'],
    ['InternalFailure', 'InternalFailure'],
    ['ConcurrentModificationException', 'ConcurrentModification'],
  ])('maps %s to TransientAwsError with code %s', (wire, code) => {
    const mapped = toPortError(awsError(wire));
    expect(mapped).toBeInstanceOf(TransientAwsError);
    expect(mapped).toMatchObject({ name: 'TransientAwsError', code });
  });

  it('treats EC2 not yet seeing a new profile as transient, but not other invalid parameters', () => {
    const notYet = awsError('InvalidParameterValue', "Value (web) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name");
    expect(toPortError(notYet)).toMatchObject({ name: 'TransientAwsError', code: 'InvalidParameterValue' });
    const other = awsError('InvalidParameterValue', 'Value (x) for parameter instanceType is invalid.');
    expect(toPortError(other)).toMatchObject({ name: 'AwsCallError', code: 'InvalidParameterValue' });
  });

  it('maps not-found codes to NotFoundError, or to TransientAwsError when the caller says the entity was just seen', () => {
    const missing = new NoSuchEntityException({ message: 'The role with name app cannot be found.', $metadata: {} });
    expect(isNotFound(missing)).toBe(true);
    expect(toPortError(missing)).toBeInstanceOf(NotFoundError);
    expect(toPortError(missing, { notFoundIsTransient: true })).toMatchObject({ name: 'TransientAwsError', code: 'NoSuchEntity' });
    expect(toPortError(awsError('InvalidInstanceID.NotFound'))).toBeInstanceOf(NotFoundError);
    expect(toPortError(awsError('InvalidAssociationID.NotFound'))).toBeInstanceOf(NotFoundError);
  });

  it('maps any other service error to AwsCallError with its code, and leaves non-AWS errors alone', () => {
    expect(toPortError(awsError('AccessDenied', 'User is not authorized'))).toMatchObject({ name: 'AwsCallError', code: 'AccessDenied' });
    expect(toPortError(awsError('MalformedPolicyDocumentException'))).toBeInstanceOf(AwsCallError);
    const bug = new TypeError('x is undefined');
    expect(toPortError(bug)).toBe(bug);
  });

  it('maps an answer whose body could not be parsed by its HTTP status and SDK traits, not by the code alone', () => {
    // What the SDK throws for a 503 with an HTML body from a load balancer: name "Unknown", the status in $metadata.
    const unparsed = Object.assign(new Error('UnknownError'), { name: 'Unknown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    expect(toPortError(unparsed)).toMatchObject({ name: 'TransientAwsError', code: 'Unknown' });
    const gateway = Object.assign(new Error('Bad Gateway'), { name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 502 } });
    expect(toPortError(gateway)).toBeInstanceOf(TransientAwsError);
    const throttled = Object.assign(new Error(''), { name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 429 } });
    expect(toPortError(throttled)).toBeInstanceOf(ThrottlingError);
    const flagged = Object.assign(new Error('slow'), { name: 'SlowDown', $fault: 'client', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });
    expect(toPortError(flagged)).toBeInstanceOf(ThrottlingError);
    // 501: the endpoint does not implement the operation (an emulator): permanent, however the code reads.
    const notImplemented = Object.assign(new Error('not yet emulated'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 501 } });
    expect(toPortError(notImplemented)).toMatchObject({ name: 'AwsCallError', code: 'InternalFailure' });
    // A client error stays permanent whatever its body.
    const denied = Object.assign(new Error(''), { name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    expect(toPortError(denied)).toBeInstanceOf(AwsCallError);
  });
});
