/**
 * What the ARM replay suites (Resources, Subscriptions, Storage, Authorization, Purview accounts)
 * share: the provider tenant of the target (Contoso in the demo seed: a user and a service
 * principal, both Owner of the subscription), plain ARM calls, idempotent "ensure" steps for the
 * resource groups, storage accounts and Purview accounts the examples name, and the substitutions
 * that move an example's subscription id (`{subscription-id}`, `00000000-…`, real-looking GUIDs)
 * onto the target's.
 */
import * as path from 'node:path';
import type { Substitution } from '../engine/example';
import { type HttpResponse, httpRequest, pollLro } from '../engine/http';
import type { CasePlan, ReplayCase, ReplayTarget } from '../engine/replay';
import type { TargetDescription } from '../engine/target';
import { notServedFile, repoRoot } from '../engine/sandbox';

export { notServedFile };

/* eslint-disable @typescript-eslint/no-explicit-any */

/** api-versions of the setup calls: what the SDKs the flows use send. */
export const API = {
  resources: '2025-04-01',
  subscriptions: '2022-12-01',
  storage: '2025-08-01',
  authorization: '2022-04-01',
  purview: '2021-12-01',
} as const;

/** Built-in role GUIDs the sandbox knows (the same in every Azure tenant). */
export const ROLES = {
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
} as const;

/** `test/conformance/specs/arm` of the repository: one folder per swagger, with its `examples/`. */
export function armSpecsRoot(): string {
  return process.env.GDS_ARM_SPECS_DIR ? path.resolve(process.env.GDS_ARM_SPECS_DIR) : path.join(repoRoot(), 'test', 'conformance', 'specs', 'arm');
}

export const exact = (from: string, to: string): Substitution => ({ from, to, mode: 'exact' });
export const substring = (from: string, to: string): Substitution => ({ from, to, mode: 'substring' });

export class ArmWorld {
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** The signed-in user of the tenant (the replays run as this user). */
  readonly userObjectId: string;
  /** The tenant's automation service principal. */
  readonly spObjectId: string;
  private readonly done = new Set<string>();

  constructor(readonly target: ReplayTarget & { description: TargetDescription }) {
    const t = target.description.tenants[0];
    if (!t?.users[0] || !t.servicePrincipals[0]) throw new Error('the ARM replays need a tenant with a user and a service principal (the demo seed)');
    this.tenantId = t.tenantId;
    this.subscriptionId = t.subscriptions[0].subscriptionId;
    this.userObjectId = t.users[0].objectId;
    this.spObjectId = t.servicePrincipals[0].objectId;
  }

  /** A plan in the tenant, with the example's subscription id(s) moved onto the target's. */
  plan(c: ReplayCase, extra: Partial<CasePlan> = {}): CasePlan {
    return { tenantId: this.tenantId, ...extra, substitutions: [...this.subscriptionSubs(c), ...(extra.substitutions ?? [])] };
  }

  /** The example's subscription id (path parameter, or inside ids) and the usual placeholders, onto the target's. */
  subscriptionSubs(c: ReplayCase): Substitution[] {
    const ours = this.subscriptionId;
    const subs: Substitution[] = [substring('{subscription-id}', ours), substring('{subscriptionId}', ours), substring('00000000-0000-0000-0000-000000000000', ours)];
    const fromParam = c.example.parameters.subscriptionId;
    if (typeof fromParam === 'string' && fromParam !== ours) subs.unshift(exact(fromParam, ours), substring(`/subscriptions/${fromParam}`, `/subscriptions/${ours}`));
    return subs;
  }

  // ---- plain ARM calls ------------------------------------------------------------------------

  async arm(method: string, p: string, body: unknown, apiVersion: string): Promise<HttpResponse> {
    const token = await this.target.getToken(this.tenantId);
    const url = `${this.target.armEndpoint}${p}${p.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
    return httpRequest(url, { method, body, headers: { authorization: `Bearer ${token}` }, ca: this.target.ca });
  }

  /** A call that must succeed; long-running answers are followed to the end. */
  async ok(method: string, p: string, body: unknown, apiVersion: string): Promise<any> {
    const res = await this.arm(method, p, body, apiVersion);
    if (res.status >= 400) throw new Error(`setup: ${method} ${p} -> ${res.status} ${res.text.slice(0, 500)}`);
    if ((res.status === 201 || res.status === 202) && (res.headers['azure-asyncoperation'] || res.headers.location)) {
      const outcome = await pollLro(res, { token: await this.target.getToken(this.tenantId), ca: this.target.ca });
      if (outcome.status !== 'Succeeded') throw new Error(`setup: ${method} ${p} ended ${outcome.status}: ${JSON.stringify(outcome.error)}`);
      return outcome.result ?? res.body;
    }
    return res.body;
  }

  async get(p: string, apiVersion: string): Promise<any | undefined> {
    const res = await this.arm('GET', p, undefined, apiVersion);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw new Error(`setup: GET ${p} -> ${res.status} ${res.text.slice(0, 500)}`);
    return res.body;
  }

  async remove(p: string, apiVersion: string): Promise<void> {
    const res = await this.arm('DELETE', p, undefined, apiVersion);
    if (res.status === 404 || res.status === 204 || res.status === 200) return;
    if (res.status >= 400) throw new Error(`setup: DELETE ${p} -> ${res.status} ${res.text.slice(0, 500)}`);
    if (res.status === 202) {
      const outcome = await pollLro(res, { token: await this.target.getToken(this.tenantId), ca: this.target.ca });
      if (outcome.status !== 'Succeeded') throw new Error(`setup: DELETE ${p} ended ${outcome.status}`);
    }
  }

  // ---- paths and ensure steps -----------------------------------------------------------------

  get subPath(): string {
    return `/subscriptions/${this.subscriptionId}`;
  }
  rgPath(rg: string): string {
    return `${this.subPath}/resourceGroups/${rg}`;
  }
  storagePath(rg: string, account: string): string {
    return `${this.rgPath(rg)}/providers/Microsoft.Storage/storageAccounts/${account}`;
  }
  containerPath(rg: string, account: string, container: string): string {
    return `${this.storagePath(rg, account)}/blobServices/default/containers/${container}`;
  }
  purviewPath(rg: string, account: string): string {
    return `${this.rgPath(rg)}/providers/Microsoft.Purview/accounts/${account}`;
  }

  async ensureRegistered(namespace: string): Promise<void> {
    if (this.done.has(`ns:${namespace}`)) return;
    await this.ok('POST', `${this.subPath}/providers/${namespace}/register`, undefined, API.resources);
    this.done.add(`ns:${namespace}`);
  }

  async ensureRg(rg: string, location = 'eastus'): Promise<void> {
    if (await this.get(this.rgPath(rg), API.resources)) return;
    await this.ok('PUT', this.rgPath(rg), { location }, API.resources);
  }

  async ensureStorage(rg: string, account: string): Promise<any> {
    await this.ensureRegistered('Microsoft.Storage');
    await this.ensureRg(rg);
    const existing = await this.get(this.storagePath(rg, account), API.storage);
    if (existing) return existing;
    // Tagged as the examples' accounts are.
    return this.ok('PUT', this.storagePath(rg, account), { location: 'eastus', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, tags: { key1: 'value1', key2: 'value2' } }, API.storage);
  }

  async ensureContainer(rg: string, account: string, container: string): Promise<void> {
    await this.ensureStorage(rg, account);
    await this.ok('PUT', this.containerPath(rg, account, container), { properties: {} }, API.storage);
  }

  /** A Purview account as the official Accounts_CreateOrUpdate example asks for it. */
  async ensurePurview(rg: string, account: string): Promise<any> {
    await this.ensureRegistered('Microsoft.Purview');
    await this.ensureRg(rg, 'westus2');
    const existing = await this.get(this.purviewPath(rg, account), API.purview);
    if (existing && existing.properties?.provisioningState === 'Succeeded') return existing;
    return this.ok(
      'PUT',
      this.purviewPath(rg, account),
      { location: 'West US 2', identity: { type: 'SystemAssigned' }, properties: { managedResourceGroupName: 'custom-rgname', managedResourcesPublicNetworkAccess: 'Enabled' } },
      API.purview,
    );
  }

  /** A role assignment with this name at `scope` (a path without the leading slash is accepted). */
  async ensureRoleAssignment(scope: string, name: string, principalId: string, roleGuid: string): Promise<void> {
    const s = `/${scope.replace(/^\/+/, '')}`;
    const p = `${s}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    if (await this.get(p, API.authorization)) return;
    await this.ok('PUT', p, { properties: { roleDefinitionId: `${this.subPath}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`, principalId, principalType: 'User' } }, API.authorization);
  }
}

/** The world of a suite, from the target the mocha glue hands over. */
export function armWorld(target: ReplayTarget): ArmWorld {
  return new ArmWorld(target as ReplayTarget & { description: TargetDescription });
}
