/**
 * Long-running operations the way ARM serves them (reference §6): the initial response carries
 * `Azure-AsyncOperation` (status URL: `{status:"InProgress"|"Succeeded"|"Failed", error?}`) and
 * `Location` (202 while running, then 200 + final body, or 204 when there is none) plus `Retry-After`.
 *
 * Operation records live in the `operations` collection keyed `/operations/{id}` (deliberately not
 * under the resource id, so deleting a resource group does not delete its own delete operation).
 */
import * as crypto from 'node:crypto';
import { ArmError, type LongRunningOperations, type OperationStatus, type SandboxRequest, type SandboxResponse, type Store } from './contract';

export interface OperationRecord {
  id: string;
  resourceId: string;
  tenantId?: string;
  /** Path prefix for status URLs, e.g. `/subscriptions/{s}/providers/Microsoft.Storage`. */
  base: string;
  apiVersion: string;
  status: OperationStatus['status'];
  error?: { code: string; message: string };
  /** The final result (served with 200 on the Location URL); absent means 204. */
  result?: unknown;
  hasResult: boolean;
  startTime: string;
  endTime?: string;
  /** Epoch ms before which the operation reports InProgress even if its work is done (slowLro fault). */
  notBefore?: number;
}

export interface OperationHooks {
  store: Store;
  now(): Date;
  log(message: string): void;
  /** Seconds for Retry-After (default 1). */
  retryAfterSeconds: number;
  /** Extra delay in ms for this request (slowLro fault), if any. */
  slowLroDelayMs(req: SandboxRequest): number;
  /** Schedules `fn` to run after the response to `req` is written. */
  afterResponse(req: SandboxRequest, fn: () => void): void;
  /** Makes side effects of finished work visible (e.g. new storage accounts reach Azurite) before the operation reports done. */
  settle(): Promise<void>;
}

export class SandboxOperations implements LongRunningOperations {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly hooks: OperationHooks) {}

  start(
    req: SandboxRequest,
    options: { status: 201 | 202; resourceId: string; body?: unknown; work: (signal: AbortSignal) => Promise<unknown>; locationOnly?: boolean },
  ): SandboxResponse {
    const id = crypto.randomUUID();
    const base = operationBase(options.resourceId);
    const delay = this.hooks.slowLroDelayMs(req);
    const record: OperationRecord = {
      id,
      resourceId: options.resourceId,
      tenantId: req.principal?.tenantId,
      base,
      apiVersion: req.apiVersion,
      status: 'InProgress',
      hasResult: false,
      startTime: this.hooks.now().toISOString(),
      notBefore: delay > 0 ? Date.now() + delay : undefined,
    };
    this.hooks.store.put('operations', `/operations/${id}`, record);
    const controller = new AbortController();
    this.running.set(id, controller);
    this.hooks.afterResponse(req, () => {
      void this.run(record, options.work, controller);
    });
    const headers: Record<string, string> = {
      Location: this.locationUrl(req.baseUrl, record),
      'Retry-After': String(this.hooks.retryAfterSeconds),
    };
    if (!options.locationOnly) {
      headers['Azure-AsyncOperation'] = this.statusUrl(req.baseUrl, record);
    }
    return { status: options.status, body: options.body, headers };
  }

  statusUrl(baseUrl: string, record: OperationRecord): string {
    return `${baseUrl}${record.base}/operationStatuses/${record.id}?api-version=${encodeURIComponent(record.apiVersion)}`;
  }

  locationUrl(baseUrl: string, record: OperationRecord): string {
    return `${baseUrl}${record.base}/operationResults/${record.id}?api-version=${encodeURIComponent(record.apiVersion)}`;
  }

  get(id: string): OperationRecord | undefined {
    return this.hooks.store.get<OperationRecord>('operations', `/operations/${id}`);
  }

  /** Status view, as served on the Azure-AsyncOperation URL. */
  statusBody(record: OperationRecord): Record<string, unknown> {
    const status = this.effectiveStatus(record);
    return {
      id: `${record.base}/operationStatuses/${record.id}`,
      name: record.id,
      status,
      startTime: record.startTime,
      ...(status !== 'InProgress' && record.endTime ? { endTime: record.endTime } : {}),
      ...(status === 'Failed' && record.error ? { error: record.error } : {}),
    };
  }

  effectiveStatus(record: OperationRecord): OperationStatus['status'] {
    if (record.status !== 'InProgress' && record.notBefore !== undefined && Date.now() < record.notBefore) {
      return 'InProgress';
    }
    return record.status;
  }

  /** Marks operations left InProgress by a previous process as failed (their work died with it). */
  failInterrupted(): void {
    for (const record of this.hooks.store.list<OperationRecord>('operations')) {
      if (record.status === 'InProgress' && !this.running.has(record.id)) {
        record.status = 'Failed';
        record.error = { code: 'OperationInterrupted', message: 'The sandbox restarted while this operation was running. Run the operation again to complete it.' };
        record.endTime = this.hooks.now().toISOString();
        this.hooks.store.put('operations', `/operations/${record.id}`, record);
      }
    }
  }

  /** Aborts running work (on shutdown). */
  abortAll(): void {
    for (const c of this.running.values()) {
      c.abort();
    }
  }

  /** Resolves when no operation is running (or after `timeoutMs`). */
  async idle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async run(record: OperationRecord, work: (signal: AbortSignal) => Promise<unknown>, controller: AbortController): Promise<void> {
    try {
      const result = await work(controller.signal);
      // Durable and visible (store fsync'ed, Azurite knows new accounts) before anyone sees Succeeded.
      await this.hooks.store.commit();
      await this.hooks.settle();
      record.status = 'Succeeded';
      record.hasResult = result !== undefined;
      record.result = result;
    } catch (err) {
      record.status = 'Failed';
      if (err instanceof ArmError) {
        record.error = { code: err.code, message: err.message };
      } else {
        this.hooks.log(`operation ${record.id} on ${record.resourceId} failed: ${(err as Error).stack ?? String(err)}`);
        record.error = { code: 'InternalServerError', message: `The operation failed unexpectedly: ${(err as Error).message}. Retry it; if it keeps failing, restart the sandbox.` };
      }
    } finally {
      this.running.delete(record.id);
    }
    record.endTime = this.hooks.now().toISOString();
    try {
      this.hooks.store.put('operations', `/operations/${record.id}`, record);
      await this.hooks.store.commit();
    } catch (err) {
      this.hooks.log(`could not persist operation ${record.id}: ${(err as Error).message}`);
    }
  }
}

/**
 * `/subscriptions/{s}/providers/{Namespace}` for a resource id (tenant-level ids use `/providers/{Namespace}`).
 * Resource groups belong to Microsoft.Resources.
 */
export function operationBase(resourceId: string): string {
  const segs = resourceId.split('/').filter((s) => s.length > 0);
  const lower = segs.map((s) => s.toLowerCase());
  const sub = lower[0] === 'subscriptions' && segs[1] ? `/subscriptions/${segs[1]}` : '';
  const p = lower.indexOf('providers');
  const ns = p >= 0 && segs[p + 1] ? segs[p + 1] : 'Microsoft.Resources';
  return `${sub}/providers/${ns}`;
}
