/**
 * EC2 and Auto Scaling change records (drift scenarios). No real CloudTrail record of these calls is in
 * test/fixtures/cloudtrail/: each is the real EC2 record of an IAM user's CLI call (launch--runinstances--iam-user--
 * no-profile.json, elastic/integrations) with eventName, eventSource, user agent command and parameters replaced;
 * the parameters and response follow the AWS documentation's examples of each call (EC2 and Auto Scaling API
 * references, AWS CLI examples), spelled as CloudTrail records them (test/fixtures/cloudtrail/SOURCES.md).
 */
import { fixture, operatorIdentity, uuid, type Json, type Operator } from './cloudtrail-ids.ts';

export interface ServiceChangeSpec {
  operator: Operator;
  region: string;
  service: 'ec2' | 'autoscaling';
  eventName: string;
  requestParameters: Json;
  responseElements: Json | null;
  eventTime: string;
  seed: string;
}

export function serviceChange(spec: ServiceChangeSpec): Json {
  const record = fixture('launch--runinstances--iam-user--no-profile.json');
  const command = spec.eventName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  const host = `${spec.service}.${spec.region}.amazonaws.com`;
  Object.assign(record, {
    awsRegion: spec.region,
    eventID: uuid(`${spec.seed}:event`),
    eventName: spec.eventName,
    eventSource: `${spec.service}.amazonaws.com`,
    eventTime: spec.eventTime,
    recipientAccountId: spec.operator.accountId,
    requestID: uuid(`${spec.seed}:request`),
    requestParameters: spec.requestParameters,
    responseElements: spec.responseElements,
    sourceIPAddress: spec.operator.sourceIPAddress,
    tlsDetails: { ...record.tlsDetails, clientProvidedHostHeader: host },
    userAgent: record.userAgent.replace('command/ec2.run-instances', `command/${spec.service}.${command}`),
    userIdentity: operatorIdentity(spec.operator),
  });
  return record;
}
