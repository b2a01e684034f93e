/** Storms made from a real CloudTrail denial: the same role, many instances, many seconds. */
import { readFileSync } from 'node:fs';

export const DENIAL_FIXTURE = 'test/fixtures/cloudtrail/denied--instance-role--ec2-describeinstances--legacy-message.json';

export function realDenial(): Record<string, any> {
  const doc = JSON.parse(readFileSync(DENIAL_FIXTURE, 'utf8'));
  return doc.Records ? doc.Records[0] : doc;
}

/** `count` denials of the fixture's role from `instances` instances, one every `everySeconds`. */
export function denialStorm(count: number, instances: number, everySeconds = 0.1): Array<Record<string, any>> {
  const base = realDenial();
  const start = Date.parse(base.eventTime);
  return Array.from({ length: count }, (_, i) => {
    const record = structuredClone(base);
    const instanceId = `i-0${(i % instances).toString(16).padStart(16, '0')}`;
    record.eventID = `storm-${i}`;
    record.eventTime = new Date(start + Math.floor(i * everySeconds * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    record.userIdentity.principalId = record.userIdentity.principalId.replace(/:i-[0-9a-fA-F]+$/, `:${instanceId}`);
    record.userIdentity.arn = record.userIdentity.arn.replace(/\/i-[0-9a-fA-F]+$/, `/${instanceId}`);
    return record;
  });
}
