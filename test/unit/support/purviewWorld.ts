/**
 * Unit-test world for the sandbox's Purview data plane: a FakeSandbox (test/unit/support/
 * fakeSandbox.ts, shared with the Data Share tests and not modified here) serving the data-plane
 * provider, plus helpers to create Purview accounts and storage accounts the way the ARM providers
 * store them, and typed shortcuts for the data map, scanning and collections routes.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import { purviewDataPlaneProvider } from '../../../src/sandbox/providers/purview/index';
import { FakeSandbox, type Seeded } from './fakeSandbox';
import type { Principal, SandboxResponse } from '../../../src/sandbox/core/contract';

export const BLOB_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';

export interface PurviewAccount {
  name: string;
  id: string;
  principalId: string;
  tenant: Seeded;
  /** The tenant's user with the Purview audience. */
  user: Principal;
}

export class PurviewWorld {
  readonly sb = new FakeSandbox(purviewDataPlaneProvider);

  constructor() {
    // FakeBlobs has no listContainers (it is optional in the contract): give it one.
    const blobs = this.sb.blobs;
    Object.assign(blobs, {
      listContainers: (account: string) => Promise.resolve([...(blobs.accounts.get(account)?.keys() ?? [])].sort().map((name) => ({ name, lastModified: this.sb.clock.now() }))),
    });
  }

  get provider(): Seeded {
    return this.sb.provider;
  }

  get consumer(): Seeded {
    return this.sb.consumer;
  }

  purviewUser(t: Seeded): Principal {
    return { ...t.user, audience: 'https://purview.azure.net' };
  }

  addPurviewAccount(t: Seeded, name: string, rg = 'gov'): PurviewAccount {
    this.sb.addResourceGroup(t.subscriptionId, rg);
    const id = `/subscriptions/${t.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Purview/accounts/${name}`;
    const mi = this.sb.directory.ensureManagedIdentity(t.tenantId, id, name);
    this.sb.store.put('resources', id, {
      id,
      name,
      type: 'Microsoft.Purview/accounts',
      location: 'westeurope',
      identity: { type: 'SystemAssigned', principalId: mi.objectId, tenantId: t.tenantId },
      properties: { provisioningState: 'Succeeded', createdAt: this.sb.clock.now().toISOString(), friendlyName: name },
    });
    return { name, id, principalId: mi.objectId, tenant: t, user: this.purviewUser(t) };
  }

  addStorage(t: Seeded, name: string, rg = 'data'): string {
    this.sb.addResourceGroup(t.subscriptionId, rg);
    return this.sb.addStorageAccount(t.subscriptionId, rg, name);
  }

  // ---------------------------------------------------------------- calls

  call(acct: PurviewAccount, method: string, path: string, body?: unknown, opts: { as?: Principal; apiVersion?: string; query?: Record<string, string> } = {}): Promise<SandboxResponse & { body: any }> {
    return this.sb.call(method, `/purview/${acct.name}${path}`, { body, as: opts.as ?? acct.user, apiVersion: opts.apiVersion ?? '2023-09-01', query: opts.query });
  }

  atlas(acct: PurviewAccount, method: string, path: string, body?: unknown, opts: { as?: Principal; query?: Record<string, string> } = {}) {
    return this.call(acct, method, `/datamap/api/atlas/v2${path}`, body, opts);
  }

  async createEntities(acct: PurviewAccount, entities: unknown[], collectionId?: string): Promise<any> {
    const res = await this.atlas(acct, 'POST', '/entity/bulk', { entities }, collectionId ? { query: { collectionId } } : {});
    if (res.status !== 200) throw new Error(`bulk create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async search(acct: PurviewAccount, body: unknown, as?: Principal): Promise<SandboxResponse & { body: any }> {
    return this.call(acct, 'POST', '/datamap/api/search/query', body, { as });
  }

  async runScan(acct: PurviewAccount, ds: string, scan: string, runId: string): Promise<any> {
    const res = await this.call(acct, 'PUT', `/scan/datasources/${ds}/scans/${scan}/runs/${runId}`);
    if (res.status !== 202) throw new Error(`run failed to start: ${res.status} ${JSON.stringify(res.body)}`);
    await this.sb.settle();
    const run = await this.call(acct, 'GET', `/scan/datasources/${ds}/scans/${scan}/runs/${runId}`);
    return run.body;
  }
}

export function blobQn(account: string, container: string, path?: string): string {
  return `https://${account}.blob.core.windows.net/${container}${path ? `/${path}` : ''}`;
}

export function entity(typeName: string, qualifiedName: string, name?: string, extra: Record<string, unknown> = {}) {
  return { typeName, attributes: { qualifiedName, name: name ?? qualifiedName.split('/').pop(), ...extra } };
}
