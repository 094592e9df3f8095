/**
 * Builders for Data Share unit tests on the fake sandbox: a provider (Contoso) with a storage
 * account, a share and a data set; a consumer (Fabrikam) that accepts, maps and synchronizes.
 * Every response can be checked against the original 2021-08-01 swagger when the spec is present.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of ARM responses are checked field by field */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import dataShareProvider from '../../../src/sandbox/providers/datashare';
import { FakeSandbox } from './fakeSandbox';
import { SwaggerSpec } from '../../conformance/engine/swagger';
import { Validator } from '../../conformance/engine/validate';

export const READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
export const CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function specsDir(): string {
  return process.env.GDS_SPECS_DIR ?? path.resolve(repoRoot(), '..', 'shared', 'reference', 'specs', 'examples');
}

let cachedSpec: { spec: SwaggerSpec; validator: Validator } | null | undefined;
export function dataShareSpec(): { spec: SwaggerSpec; validator: Validator } | undefined {
  if (cachedSpec === undefined) {
    const file = path.resolve(specsDir(), '..', 'datashare-2021-08-01.json');
    if (fs.existsSync(file)) {
      const spec = SwaggerSpec.load(file);
      cachedSpec = { spec, validator: new Validator(spec) };
    } else {
      console.log(`note: ${file} not found; Data Share responses are not checked against the swagger in unit tests.`);
      cachedSpec = null;
    }
  }
  return cachedSpec ?? undefined;
}

/** Asserts that `body` matches the swagger's response schema of `operationId` for `status`. */
export function assertSwagger(operationId: string, status: number, body: unknown): void {
  const s = dataShareSpec();
  if (!s) return;
  const op = s.spec.operations.get(operationId);
  assert.ok(op, `unknown operation ${operationId}`);
  const r = op.responses[String(status)] ?? (status >= 400 ? op.responses.default : undefined);
  assert.ok(r, `${operationId} declares no ${status} response`);
  if (!r.schema) return;
  const issues = s.validator.validate(r.schema, body, { mode: 'response' });
  assert.deepEqual(issues, [], `${operationId} ${status} does not match the swagger:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}\nbody: ${JSON.stringify(body)}`);
}

export const accountPath = (sub: string, rg: string, name: string): string => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.DataShare/accounts/${name}`;

export class DataShareWorld {
  readonly sb = new FakeSandbox(dataShareProvider);
  readonly P = this.sb.provider;
  readonly C = this.sb.consumer;
  readonly rgP = 'rg-provider';
  readonly rgC = 'rg-consumer';
  readonly pAccount = accountPath(this.P.subscriptionId, this.rgP, 'contoso-share');
  readonly cAccount = accountPath(this.C.subscriptionId, this.rgC, 'fabrikam-receive');
  readonly share = `${this.pAccount}/shares/sales`;
  readonly ss = `${this.cAccount}/shareSubscriptions/sales-received`;
  readonly srcStorage: string;
  readonly dstStorage: string;
  pMi = '';
  cMi = '';

  constructor() {
    this.sb.addResourceGroup(this.P.subscriptionId, this.rgP);
    this.sb.addResourceGroup(this.C.subscriptionId, this.rgC);
    this.srcStorage = this.sb.addStorageAccount(this.P.subscriptionId, this.rgP, 'contosodata');
    this.dstStorage = this.sb.addStorageAccount(this.C.subscriptionId, this.rgC, 'fabrikamlanding');
    this.sb.blobs.upload('contosodata', 'sales', '2024/jan.csv', 'id,amount\n1,10\n');
    this.sb.blobs.upload('contosodata', 'sales', '2024/feb.csv', 'id,amount\n2,20\n');
    this.sb.blobs.upload('contosodata', 'sales', 'readme.txt', 'sales data');
  }

  async ok(method: string, p: string, body: unknown, as = this.P.user, status?: number, operationId?: string): Promise<any> {
    const res = await this.sb.call(method, p, { body, as });
    if (status !== undefined) assert.equal(res.status, status, `${method} ${p}: ${JSON.stringify(res.body)}`);
    else assert.ok(res.status < 300, `${method} ${p} -> ${res.status}: ${JSON.stringify(res.body)}`);
    if (operationId) assertSwagger(operationId, res.status, res.body);
    return res.body;
  }

  async providerAccount(): Promise<any> {
    const a = await this.ok('PUT', this.pAccount, { location: 'westus2', identity: { type: 'SystemAssigned' } }, this.P.user, 201, 'Accounts_Create');
    this.pMi = a.identity.principalId;
    return a;
  }

  async consumerAccount(): Promise<any> {
    const a = await this.ok('PUT', this.cAccount, { location: 'eastus', identity: { type: 'SystemAssigned' } }, this.C.user, 201, 'Accounts_Create');
    this.cMi = a.identity.principalId;
    return a;
  }

  grantReader(): void {
    this.sb.authorization.grant(this.pMi, this.srcStorage, READER);
  }

  grantContributor(): void {
    this.sb.authorization.grant(this.cMi, this.dstStorage, CONTRIBUTOR);
  }

  async shareWith(dataSet: { kind: string; properties: Record<string, unknown> } = this.containerDataSet()): Promise<any> {
    await this.ok('PUT', this.share, { properties: { shareKind: 'CopyBased', description: 'Monthly sales', terms: 'Internal use only' } }, this.P.user, 201, 'Shares_Create');
    return this.ok('PUT', `${this.share}/dataSets/sales-ds`, dataSet, this.P.user, 201, 'DataSets_Create');
  }

  containerDataSet(): { kind: string; properties: Record<string, unknown> } {
    return { kind: 'Container', properties: { containerName: 'sales', storageAccountName: 'contosodata', resourceGroup: this.rgP, subscriptionId: this.P.subscriptionId } };
  }

  async invite(name = 'to-ben', target: Record<string, unknown> = { targetEmail: this.C.user.email }): Promise<any> {
    return this.ok('PUT', `${this.share}/invitations/${name}`, { properties: target }, this.P.user, 201, 'Invitations_Create');
  }

  async accept(invitationId: string, ssPath = this.ss, location = 'westus2'): Promise<any> {
    return this.ok('PUT', ssPath, { properties: { invitationId, sourceShareLocation: location } }, this.C.user, 201, 'ShareSubscriptions_Create');
  }

  async map(dataSetId: string, kind = 'Container', extra: Record<string, unknown> = { containerName: 'landing' }, name = 'sales-map'): Promise<any> {
    return this.ok('PUT', `${this.ss}/dataSetMappings/${name}`, { kind, properties: { dataSetId, storageAccountName: 'fabrikamlanding', resourceGroup: this.rgC, subscriptionId: this.C.subscriptionId, ...extra } }, this.C.user, 201, 'DataSetMappings_Create');
  }

  /** Provider and consumer set up to the point where a synchronize can run. */
  async ready(opts: { reader?: boolean; contributor?: boolean; dataSet?: { kind: string; properties: Record<string, unknown> }; mapping?: { kind: string; extra: Record<string, unknown> } } = {}): Promise<{ dataSetId: string }> {
    await this.providerAccount();
    if (opts.reader !== false) this.grantReader();
    const ds = await this.shareWith(opts.dataSet);
    const inv = await this.invite();
    await this.consumerAccount();
    if (opts.contributor !== false) this.grantContributor();
    await this.accept(inv.properties.invitationId);
    await this.map(ds.properties.dataSetId, opts.mapping?.kind, opts.mapping?.extra);
    return { dataSetId: ds.properties.dataSetId };
  }

  /** Starts a synchronize and waits for its operation; returns the 202 body and the operation. */
  async synchronize(mode: 'FullSync' | 'Incremental' = 'FullSync') {
    const res = await this.sb.call('POST', `${this.ss}/synchronize`, { body: { synchronizationMode: mode }, as: this.C.user });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assertSwagger('ShareSubscriptions_Synchronize', 202, res.body);
    const op = this.sb.operations.of(res);
    await this.sb.settle();
    return { accepted: res.body, op };
  }

  async details(syncId: string, side: 'consumer' | 'provider' = 'consumer'): Promise<any[]> {
    const p = side === 'consumer' ? `${this.ss}/listSynchronizationDetails` : `${this.share}/listSynchronizationDetails`;
    const body = await this.ok('POST', p, { synchronizationId: syncId }, side === 'consumer' ? this.C.user : this.P.user, 200, side === 'consumer' ? 'ShareSubscriptions_ListSynchronizationDetails' : 'Shares_ListSynchronizationDetails');
    return body.value;
  }

  async psubs(): Promise<any[]> {
    return (await this.ok('GET', `${this.share}/providerShareSubscriptions`, undefined, this.P.user, 200, 'ProviderShareSubscriptions_ListByShare')).value;
  }
}
