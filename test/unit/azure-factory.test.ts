import * as assert from 'assert';
import { AzureClientFactory } from '../../src/azure/factory';
import { AZURE_PUBLIC_CLOUD, blobEndpointFor, purviewEndpointFor, sandboxCloud, type CloudConfig } from '../../src/azure/cloud';
import { BUILT_IN_ROLES, roleAssignmentName, roleDefinitionId } from '../../src/azure/arm/authorization';
import { AzureRequestError } from '../../src/common/azureErrors';
import { FakeCredential, harness, SUB } from './support/azureFakes';

const sandbox: CloudConfig = sandboxCloud(
  { armEndpoint: 'https://127.0.0.1:8443/', caCertPath: '/x', authorityHost: 'https://127.0.0.1:8443', blobEndpoint: 'https://127.0.0.1:10000', purviewEndpoint: 'https://127.0.0.1:8443/purview', tenants: [] },
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
);

function factoryWithFake(extra = {}) {
  const h = harness(extra);
  return { h, factory: new AzureClientFactory(h.settings) };
}

describe('AzureClientFactory', () => {
  it('caches clients per (cloud, tenant) and replaces them when the credential changes', () => {
    const f = new AzureClientFactory();
    const c1 = new FakeCredential();
    const a = f.forTenant(AZURE_PUBLIC_CLOUD, 'T1', c1);
    assert.strictEqual(f.forTenant(AZURE_PUBLIC_CLOUD, 't1', c1), a);
    assert.notStrictEqual(f.forTenant(sandbox, 'T1', c1), a, 'other cloud');
    assert.notStrictEqual(f.forTenant(AZURE_PUBLIC_CLOUD, 'T2', c1), a, 'other tenant');
    assert.strictEqual(a.dataShare, a.dataShare, 'lazy and cached');
    assert.strictEqual(a.storage(SUB), a.storage(SUB));
    assert.notStrictEqual(a.resources(SUB), a.resources('other'));
    const replaced = f.forTenant(AZURE_PUBLIC_CLOUD, 'T1', new FakeCredential());
    assert.notStrictEqual(replaced, a);
    f.forget(AZURE_PUBLIC_CLOUD, 'T1');
    assert.notStrictEqual(f.forTenant(AZURE_PUBLIC_CLOUD, 'T1', c1), replaced);
  });

  it('cloud configs differ only by endpoints and CA', () => {
    assert.strictEqual(sandbox.armEndpoint, 'https://127.0.0.1:8443');
    assert.strictEqual(sandbox.kind, 'sandbox');
    assert.strictEqual(AZURE_PUBLIC_CLOUD.caPem, undefined);
    assert.strictEqual(blobEndpointFor(sandbox, 'acct'), 'https://127.0.0.1:10000/acct/');
    assert.strictEqual(blobEndpointFor(AZURE_PUBLIC_CLOUD, 'acct'), 'https://acct.blob.core.windows.net/');
    assert.strictEqual(purviewEndpointFor(sandbox, 'pv'), 'https://127.0.0.1:8443/purview/pv');
    assert.strictEqual(purviewEndpointFor(AZURE_PUBLIC_CLOUD, 'pv'), 'https://pv.purview.azure.com');
  });

  it('every ARM client asks for the ARM scope explicitly, even on the sandbox endpoint', async () => {
    const { h, factory } = factoryWithFake();
    const clients = factory.forTenant(sandbox, 'tenant', h.credential);
    h.http.enqueue(
      { status: 200, body: { name: 'rg', location: 'westeurope' } },
      { status: 200, body: { nameAvailable: true } },
      { status: 200, body: { name: 'pv', location: 'westeurope' } },
      { status: 200, body: { value: [] } },
      { status: 200, body: { name: 'acct' } },
    );
    await clients.resources(SUB).resourceGroups.get('rg');
    await clients.storage(SUB).accounts.checkNameAvailability('newacct');
    await clients.purview(SUB).accounts.get('rg', 'pv');
    await clients.authorization(SUB).listAtScope(`/subscriptions/${SUB}`).collect();
    await clients.dataShare.accounts.get({ subscriptionId: SUB, resourceGroupName: 'rg', accountName: 'acct' });

    assert.strictEqual(h.credential.calls.length >= 5, true);
    for (const call of h.credential.calls) {
      assert.deepStrictEqual(call.scopes, ['https://management.azure.com/.default']);
    }
    for (const r of h.http.requests) {
      assert.ok(r.url.startsWith('https://127.0.0.1:8443/subscriptions/'), r.url);
      assert.ok(r.headers['user-agent']?.startsWith('governed-data-share/'), r.headers['user-agent']);
      assert.strictEqual(r.tlsCa, sandbox.caPem, `sandbox CA trusted for ${r.url}`);
    }
    const purviewUrl = new URL(h.http.requests[2]!.url);
    assert.strictEqual(purviewUrl.searchParams.get('api-version'), '2021-12-01');
    assert.strictEqual(h.http.requests[1]!.method, 'POST');
    assert.match(h.http.requests[1]!.url, /\/providers\/Microsoft\.Storage\/checkNameAvailability\?/);
  });

  it('SDK errors come out as AzureRequestError with a next step', async () => {
    const { h, factory } = factoryWithFake();
    h.http.enqueue({ status: 404, headers: { 'x-ms-request-id': 'rid' }, body: { error: { code: 'ResourceGroupNotFound', message: "Resource group 'rg' could not be found." } } });
    const err = await factory.forTenant(AZURE_PUBLIC_CLOUD, 't', h.credential).resources(SUB).resourceGroups.get('rg').catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.code, 'ResourceGroupNotFound');
    assert.strictEqual(err.statusCode, 404);
    assert.strictEqual(err.requestId, 'rid');
    assert.match(err.nextStep, /resource group does not exist/);
  });

  it('SDK clients use the shared retry policy (429 + Retry-After)', async () => {
    const { h, factory } = factoryWithFake();
    h.http.enqueue({ status: 429, headers: { 'Retry-After': '4' } }, { status: 200, body: { nameAvailable: false, reason: 'AlreadyExists' } });
    const r = await factory.forTenant(AZURE_PUBLIC_CLOUD, 't', h.credential).storage(SUB).accounts.checkNameAvailability('taken');
    assert.strictEqual(r.nameAvailable, false);
    assert.deepStrictEqual(h.sleeps, [4000]);
  });

  it('registers a provider and waits until it shows Registered', async () => {
    const { h, factory } = factoryWithFake({ lro: { intervalInMs: 3 } });
    h.http.enqueue(
      { status: 200, body: { namespace: 'Microsoft.DataShare', registrationState: 'NotRegistered' } },
      { status: 200, body: { namespace: 'Microsoft.DataShare', registrationState: 'Registering' } },
      { status: 200, body: { namespace: 'Microsoft.DataShare', registrationState: 'Registering' } },
      { status: 200, body: { namespace: 'Microsoft.DataShare', registrationState: 'Registered' } },
    );
    const states: (string | undefined)[] = [];
    const p = await factory.forTenant(AZURE_PUBLIC_CLOUD, 't', h.credential).resources(SUB).providers.register('Microsoft.DataShare', { onProgress: (s) => states.push(s) });
    assert.strictEqual(p.registrationState, 'Registered');
    assert.deepStrictEqual(h.http.requests.map((r) => r.method), ['GET', 'POST', 'GET', 'GET']);
    assert.match(h.http.requests[1]!.url, /\/providers\/Microsoft\.DataShare\/register\?/);
    assert.deepStrictEqual(h.sleeps, [3, 3]);
    assert.deepStrictEqual(states, ['NotRegistered', 'Registering', 'Registering', 'Registered']);

    const { h: h2, factory: f2 } = factoryWithFake();
    h2.http.enqueue({ status: 200, body: { namespace: 'Microsoft.DataShare', registrationState: 'Registered' } });
    await f2.forTenant(AZURE_PUBLIC_CLOUD, 't', h2.credential).resources(SUB).providers.register('Microsoft.DataShare');
    assert.strictEqual(h2.http.requests.length, 1, 'already registered: no POST');
  });

  it('role assignments: idempotent create treats RoleAssignmentExists as success', async () => {
    const { h, factory } = factoryWithFake();
    const scope = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/src`;
    const principalId = '6f1c7c39-6a8e-4a53-9d0c-2f0e8a1b2c3d';
    h.http.enqueue(
      { status: 200, body: { value: [] } },
      { status: 409, body: { error: { code: 'RoleAssignmentExists', message: 'The role assignment already exists.' } } },
      {
        status: 200,
        body: {
          value: [
            {
              id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
              name: 'x',
              properties: { scope, principalId, roleDefinitionId: roleDefinitionId(SUB, 'StorageBlobDataReader') },
            },
          ],
        },
      },
    );
    const authz = factory.forTenant(AZURE_PUBLIC_CLOUD, 't', h.credential).authorization(SUB);
    const r = await authz.ensureRoleAssignment({ scope, role: 'StorageBlobDataReader', principalId });
    assert.strictEqual(r.created, false);
    assert.strictEqual(r.assignment?.name, 'x');

    const put = h.http.requests[1]!;
    assert.strictEqual(put.method, 'PUT');
    const u = new URL(put.url);
    assert.ok(!u.pathname.includes('//'), u.pathname);
    assert.strictEqual(u.pathname, `${scope}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(scope, BUILT_IN_ROLES.StorageBlobDataReader, principalId)}`);
    assert.deepStrictEqual(put.body, {
      properties: {
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`,
        principalId,
        principalType: 'ServicePrincipal',
      },
    });
    assert.match(decodeURIComponent(h.http.requests[0]!.url), /\$filter=principalId eq '6f1c7c39/);
  });

  it('role assignments: an existing equivalent assignment means no PUT; PrincipalNotFound is retried', async () => {
    const { h, factory } = factoryWithFake();
    const scope = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/dst`;
    const principalId = '0b0b0b0b-0000-4000-8000-000000000001';
    h.http.enqueue({
      status: 200,
      body: { value: [{ name: 'y', properties: { scope: scope.toUpperCase(), principalId, roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.StorageBlobDataContributor.toUpperCase()}` } }] },
    });
    const authz = factory.forTenant(AZURE_PUBLIC_CLOUD, 't', h.credential).authorization(SUB);
    const r = await authz.ensureRoleAssignment({ scope, role: 'StorageBlobDataContributor', principalId });
    assert.deepStrictEqual([r.created, h.http.requests.length], [false, 1]);

    h.http.enqueue(
      { status: 200, body: { value: [] } },
      { status: 400, body: { error: { code: 'PrincipalNotFound', message: 'Principal x does not exist in the directory.' } } },
      { status: 201, body: { name: 'new', properties: { scope, principalId } } },
    );
    const r2 = await authz.ensureRoleAssignment({ scope, role: BUILT_IN_ROLES.Reader, principalId }, { principalNotFoundDelayInMs: 9 });
    assert.strictEqual(r2.created, true);
    assert.deepStrictEqual(h.sleeps, [9]);
    assert.strictEqual(roleAssignmentName(scope, 'x', principalId), roleAssignmentName(scope.toUpperCase(), 'X', principalId.toUpperCase()), 'stable name');
  });
});
