/** Deterministic ids, times and fixture access for the CloudTrail records of the built-in scenarios. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'cloudtrail');

export type Json = Record<string, any>;

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;
}

/** Deterministic hex from a seed, so that regenerating a scenario gives the same file. */
export function hex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  return out.slice(0, length);
}

export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function instanceId(seed: string): string {
  return `i-0${hex(`instance:${seed}`, 16)}`;
}

/** Upper-case base32-ish id of AWS principals (AROA…, ASIA…). */
export function awsId(prefix: string, seed: string, length = 21): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const h = hex(`${prefix}:${seed}`, length * 2);
  let id = prefix;
  for (let i = 0; id.length < length; i += 2) id += alphabet[parseInt(h.slice(i, i + 2), 16) % 32];
  return id;
}

export function isoPlus(start: string, seconds: number): string {
  return new Date(Date.parse(start) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface Operator {
  accountId: string;
  userName: string;
  sourceIPAddress: string;
}

export function operatorIdentity(op: Operator): Json {
  return {
    accessKeyId: awsId('AKIA', `${op.accountId}:${op.userName}:key`, 20),
    accountId: op.accountId,
    arn: `arn:aws:iam::${op.accountId}:user/${op.userName}`,
    principalId: awsId('AIDA', `${op.accountId}:${op.userName}`),
    type: 'IAMUser',
    userName: op.userName,
  };
}
