/** The DynamoDB adapters (audit trail, change budget, lock), created on first use and kept for the container's life. */
import { DynamoAuditStore } from '../adapters/aws/dynamodb-audit.ts';
import { DynamoApprovalStore } from '../adapters/aws/dynamodb-approvals.ts';
import { DynamoInstanceLists } from '../adapters/aws/dynamodb-instances.ts';
import type { InstanceListPort } from '../core/ports.ts';
import { DynamoChangeBudget, DynamoLock } from '../adapters/aws/dynamodb-state.ts';
import { required } from './variables.ts';

let audit: DynamoAuditStore | undefined;
let budget: DynamoChangeBudget | undefined;
let lock: DynamoLock | undefined;

export function auditStore(): DynamoAuditStore {
  return (audit ??= new DynamoAuditStore({ tableName: required('AUDIT_TABLE') }));
}

export function changeBudget(): DynamoChangeBudget {
  return (budget ??= new DynamoChangeBudget({ tableName: required('STATE_TABLE') }));
}

export function changeLock(): DynamoLock {
  return (lock ??= new DynamoLock({ tableName: required('STATE_TABLE') }));
}

let approvals: DynamoApprovalStore | undefined;

export function approvalStore(): DynamoApprovalStore {
  return (approvals ??= new DynamoApprovalStore({ tableName: required('STATE_TABLE') }));
}

let instanceLists: DynamoInstanceLists | undefined;

/**
 * A fleet's instance lists (state table, pk "instances#…"): intake and sweep write them, Diagnose reads its batch.
 * Created on first use: an intake batch with no fleet needs neither the table nor its name.
 */
export function instanceListStore(): InstanceListPort {
  const store = () => (instanceLists ??= new DynamoInstanceLists({ tableName: required('STATE_TABLE') }));
  return {
    put: (list, ids, pageSize, expiresAt) => store().put(list, ids, pageSize, expiresAt),
    page: (list, index) => store().page(list, index),
  };
}
