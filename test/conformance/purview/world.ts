/**
 * State shared by the Purview replay suites (data map, scanning): one Purview account with a
 * system-assigned identity in the target's first tenant, a storage account it may read, and
 * helpers to call the account's data plane with a Purview token. Every step is an idempotent
 * "ensure", so examples run alone or in any order.
 */
import * as crypto from 'node:crypto';
import { type Substitution, substituteDeep } from '../engine/example';
import { type HttpResponse, httpRequest, pollLro } from '../engine/http';
import type { CasePlan, ReplayCase, ReplayTarget } from '../engine/replay';
import type { TargetDescription } from '../engine/target';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const PURVIEW_AUDIENCE = 'https://purview.azure.net';
const RESOURCES_API = '2021-04-01';
const STORAGE_API = '2023-05-01';
const AUTHZ_API = '2022-04-01';
const PURVIEW_API = '2021-12-01';
const READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
const RG = 'purview-conformance';

export class PurviewReplayWorld {
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Names are global in Azure (and in the sandbox): a run suffix keeps reruns apart. */
  readonly account: string;
  readonly storage: string;
  readonly endpoint: string;
  private ready: Promise<void> | undefined;
  private principalId = '';
  private readonly done = new Set<string>();

  constructor(readonly target: ReplayTarget & { description: TargetDescription & { purviewEndpoint?: string } }) {
    const t = target.description.tenants[0];
    this.tenantId = t.tenantId;
    this.subscriptionId = t.subscriptions[0].subscriptionId;
    const suffix = crypto.randomBytes(3).toString('hex');
    this.account = `conformance-pv-${suffix}`;
    this.storage = `pvconf${suffix}`;
    const base = target.description.purviewEndpoint ?? `${target.armEndpoint.replace(/\/+$/, '')}/purview`;
    this.endpoint = `${base}/${this.account}`;
  }

  get storageId(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${this.storage}`;
  }

  // ---- ARM --------------------------------------------------------------------------------------

  private async arm(method: string, path: string, apiVersion: string, body?: unknown): Promise<any> {
    const token = await this.target.getToken(this.tenantId);
    const res = await httpRequest(`${this.target.armEndpoint}${path}?api-version=${apiVersion}`, { method, body, headers: { authorization: `Bearer ${token}` }, ca: this.target.ca });
    if (res.status >= 400) throw new Error(`setup: ${method} ${path} -> ${res.status} ${res.text.slice(0, 400)}`);
    if ((res.status === 201 || res.status === 202) && (res.headers['azure-asyncoperation'] || res.headers.location)) {
      const outcome = await pollLro(res, { token, ca: this.target.ca });
      if (outcome.status !== 'Succeeded') throw new Error(`setup: ${method} ${path} ended ${outcome.status}`);
      return outcome.result ?? res.body;
    }
    return res.body;
  }

  /** Resource group, registrations, the Purview account, a storage account with blobs, and the role its MI needs. */
  ensureReady(): Promise<void> {
    this.ready ??= (async () => {
      const sub = `/subscriptions/${this.subscriptionId}`;
      for (const ns of ['Microsoft.Purview', 'Microsoft.Storage']) await this.arm('POST', `${sub}/providers/${ns}/register`, RESOURCES_API);
      await this.arm('PUT', `${sub}/resourcegroups/${RG}`, RESOURCES_API, { location: 'westus2' });
      await this.arm('PUT', this.storageId, STORAGE_API, { location: 'westus2', kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
      await this.arm('PUT', `${this.storageId}/blobServices/default/containers/examples`, STORAGE_API, { properties: {} });
      const pv = await this.arm('PUT', `${sub}/resourceGroups/${RG}/providers/Microsoft.Purview/accounts/${this.account}`, PURVIEW_API, { location: 'westus2', identity: { type: 'SystemAssigned' } });
      this.principalId = pv.identity.principalId;
      await this.arm('PUT', `${this.storageId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`, AUTHZ_API, {
        properties: { roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: this.principalId, principalType: 'ServicePrincipal' },
      });
    })();
    return this.ready;
  }

  // ---- data plane -------------------------------------------------------------------------------

  async dp(method: string, path: string, body?: unknown, apiVersion = '2023-09-01'): Promise<HttpResponse> {
    await this.ensureReady();
    const token = await this.target.getToken(this.tenantId, PURVIEW_AUDIENCE);
    const sep = path.includes('?') ? '&' : '?';
    return httpRequest(`${this.endpoint}${path}${sep}api-version=${apiVersion}`, { method, body, headers: { authorization: `Bearer ${token}` }, ca: this.target.ca });
  }

  /** A data-plane call that must succeed (2xx). */
  async ok(method: string, path: string, body?: unknown, apiVersion?: string): Promise<any> {
    const res = await this.dp(method, path, body, apiVersion);
    if (res.status >= 300) throw new Error(`setup: ${method} ${path} -> ${res.status} ${res.text.slice(0, 500)}`);
    return res.body;
  }

  /** Creates (or updates) an entity and returns its guid. */
  async entity(typeName: string, qualifiedName: string, attributes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<string> {
    const body = await this.ok('POST', '/datamap/api/atlas/v2/entity', { entity: { typeName, attributes: { qualifiedName, name: qualifiedName.split('/').pop(), ...attributes }, ...extra } });
    return String(Object.values(body.guidAssignments as Record<string, string>)[0]);
  }

  async collection(name: string): Promise<void> {
    if (this.done.has(`collection:${name}`)) return;
    await this.ok('PUT', `/account/collections/${name}`, { parentCollection: { referenceName: this.account } }, '2019-11-01-preview');
    this.done.add(`collection:${name}`);
  }

  async once(key: string, fn: () => Promise<void>): Promise<void> {
    if (this.done.has(key)) return;
    await fn();
    this.done.add(key);
  }
}

/**
 * Purview examples name their body after the client method's argument (`searchRequest`,
 * `entity`, `typesDef`, ...) rather than the swagger's body parameter (`body`): pass the
 * example's body under the swagger's name (substituted like everything else).
 */
export function withExampleBody(c: ReplayCase, plan: CasePlan): CasePlan {
  const bodyParam = c.operation.parameters.find((p) => p.in === 'body');
  const params = c.example.parameters;
  if (!bodyParam || bodyParam.name in params) return plan;
  const known = new Set(c.operation.parameters.map((p) => p.name.replace(/^\$/, '').toLowerCase()));
  const candidates = Object.entries(params).filter(([k, v]) => !known.has(k.replace(/^\$/, '').toLowerCase()) && k.toLowerCase() !== 'endpoint' && v !== null && typeof v === 'object');
  if (candidates.length !== 1) return plan;
  const subs: Substitution[] = plan.substitutions ?? [];
  return { ...plan, overrides: { ...(plan.overrides ?? {}), [bodyParam.name]: substituteDeep(candidates[0][1], subs) } };
}
