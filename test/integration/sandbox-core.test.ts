/**
 * The sandbox core over real HTTPS with the real SDK clients: identity, token checks, tenant
 * isolation, ARM conventions (api-version, paths, paging, errors), provider registration, RBAC,
 * faults and the admin API.
 */
import * as assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { PurviewManagementClient } from '@azure/arm-purview';
import type { RestError } from '@azure/core-rest-pipeline';
import type { RunningSandbox, SandboxTenantDescription } from '../../src/sandbox';
import { ArmError, type ResourceProvider } from '../../src/sandbox/core/contract';
import { providers } from '../../src/sandbox/providers';
import { adminToken, armOptions, ARM_SCOPE, decodeJwt, removeTempDirs, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

/** A tiny provider that exercises the contract: long-running work that succeeds or fails, and ticks. */
const ticks: Date[] = [];
const probe: ResourceProvider = {
  namespace: 'Sandbox.Probe',
  routes: [
    {
      methods: ['PUT'],
      pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Sandbox.Probe/things/{name}',
      apiVersions: ['2024-01-01'],
      handler: (req, p, ctx) => {
        const id = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Sandbox.Probe/things/${p.name}`;
        return ctx.operations.start(req, {
          status: 201,
          resourceId: id,
          body: { id, name: p.name, properties: { provisioningState: 'Creating' } },
          work: async () => {
            if (p.name.startsWith('fail')) {
              throw new ArmError(409, 'ProbeFailed', 'The probe was asked to fail.');
            }
            const done = { id, name: p.name, properties: { provisioningState: 'Succeeded' } };
            ctx.store.put('resources', id, done);
            return done;
          },
        });
      },
    },
  ],
  onTick: (_ctx, now) => {
    ticks.push(now);
  },
};

describe('sandbox core (identity, ARM conventions, RBAC, faults)', function () {
  this.timeout(60_000);
  let sandbox: RunningSandbox;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let contosoSub: string;
  let fabrikamSub: string;
  let armToken: string;

  before(async () => {
    ({ sandbox } = await startTestSandbox('core', { providers: [...providers, probe], tickIntervalMs: 0 }));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    contosoSub = contoso.subscriptions[0].subscriptionId;
    fabrikamSub = fabrikam.subscriptions[0].subscriptionId;
    armToken = await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE);
  });

  after(async () => {
    await sandbox?.stop();
    removeTempDirs();
  });

  const resources = (tenant: SandboxTenantDescription, sub: string) => new ResourceManagementClient(spCredential(sandbox, tenant), sub, armOptions(sandbox));

  describe('identity', () => {
    it('describes tenants, subscriptions, users and service principals in sandbox.json', () => {
      const d = sandbox.description;
      assert.equal(d.armEndpoint, sandbox.armEndpoint);
      assert.match(d.caCertPath, /ca\.pem$/);
      assert.equal(d.tenants.length, 2);
      for (const t of d.tenants) {
        assert.equal(t.subscriptions.length, 1);
        assert.equal(t.users.length, 1);
        assert.ok(t.users[0].password.length >= 12);
        assert.equal(t.servicePrincipals.length, 1);
        assert.ok(t.servicePrincipals[0].secret.length >= 30);
      }
      assert.equal(contoso.tenantId, 'c0a70000-0000-4000-8000-000000000001');
    });

    it('serves OpenID metadata and a JWKS per tenant', async () => {
      const meta = await request(sandbox, 'GET', `/${contoso.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(meta.status, 200);
      assert.equal(meta.body.token_endpoint, `${sandbox.armEndpoint}/${contoso.tenantId}/oauth2/v2.0/token`);
      const jwks = await request(sandbox, 'GET', meta.body.jwks_uri as string);
      assert.equal(jwks.status, 200);
      assert.equal(jwks.body.keys[0].kty, 'RSA');
    });

    for (const [name, scope, aud] of [
      ['ARM', 'https://management.azure.com/.default', 'https://management.azure.com'],
      ['Storage', 'https://storage.azure.com/.default', 'https://storage.azure.com'],
      ['Purview', 'https://purview.azure.net/.default', 'https://purview.azure.net'],
      ['Graph', 'https://graph.microsoft.com/.default', 'https://graph.microsoft.com'],
    ] as const) {
      it(`issues RS256 tokens for the ${name} audience through ClientSecretCredential`, async () => {
        const token = await tokenFor(spCredential(sandbox, fabrikam), scope);
        const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { alg: string };
        assert.equal(header.alg, 'RS256');
        const claims = decodeJwt(token);
        assert.equal(claims.aud, aud);
        assert.equal(claims.iss, `https://sts.windows.net/${fabrikam.tenantId}/`);
        assert.equal(claims.tid, fabrikam.tenantId);
        assert.equal(claims.oid, fabrikam.servicePrincipals[0].objectId);
        assert.equal(claims.appid, fabrikam.servicePrincipals[0].clientId);
        assert.ok((claims.exp as number) > (claims.iat as number));
        assert.ok(typeof claims.nbf === 'number');
      });
    }

    it('supports the password grant for seeded users (upn/email claims)', async () => {
      const user = contoso.users[0];
      const res = await request(sandbox, 'POST', `/${contoso.tenantId}/oauth2/v2.0/token`, {
        form: { grant_type: 'password', client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', username: user.email, password: user.password, scope: `${ARM_SCOPE} openid profile offline_access` },
      });
      assert.equal(res.status, 200, res.text);
      const claims = decodeJwt(res.body.access_token as string);
      assert.equal(claims.upn, user.email);
      assert.equal(claims.email, user.email);
      assert.equal(claims.oid, user.objectId);
      // and the token works on ARM
      const rgs = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups?api-version=2025-04-01`, { token: res.body.access_token as string });
      assert.equal(rgs.status, 200);
    });

    it('rejects a wrong password and a wrong client secret with Entra error shapes', async () => {
      const bad = await request(sandbox, 'POST', `/${contoso.tenantId}/oauth2/v2.0/token`, {
        form: { grant_type: 'password', client_id: 'x', username: contoso.users[0].email, password: 'nope', scope: ARM_SCOPE },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'invalid_grant');
      assert.match(bad.body.error_description as string, /^AADSTS50126/);
      const sp = contoso.servicePrincipals[0];
      const badSecret = await request(sandbox, 'POST', `/${contoso.tenantId}/oauth2/v2.0/token`, {
        form: { grant_type: 'client_credentials', client_id: sp.clientId, client_secret: 'wrong', scope: ARM_SCOPE },
      });
      assert.equal(badSecret.status, 401);
      assert.equal(badSecret.body.error, 'invalid_client');
      const otherTenant = await request(sandbox, 'POST', `/${fabrikam.tenantId}/oauth2/v2.0/token`, {
        form: { grant_type: 'client_credentials', client_id: sp.clientId, client_secret: sp.secret, scope: ARM_SCOPE },
      });
      assert.equal(otherTenant.status, 400);
      assert.equal(otherTenant.body.error, 'unauthorized_client');
    });
  });

  describe('token verification', () => {
    const url = () => `/subscriptions/${contosoSub}/resourcegroups?api-version=2025-04-01`;

    it('401 AuthenticationFailed without a token', async () => {
      const res = await request(sandbox, 'GET', url());
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'AuthenticationFailed');
      assert.match(String(res.headers['www-authenticate']), /^Bearer authorization_uri="/);
    });

    it('401 InvalidAuthenticationToken for a tampered signature', async () => {
      const [h, p, s] = armToken.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      claims.oid = fabrikam.servicePrincipals[0].objectId;
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      const res = await request(sandbox, 'GET', url(), { token: forged });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'InvalidAuthenticationToken');
      assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
    });

    it('401 ExpiredAuthenticationToken for an expired token', async () => {
      const expired = await adminToken(sandbox, contoso.servicePrincipals[0].objectId, 'https://management.azure.com', -120);
      const res = await request(sandbox, 'GET', url(), { token: expired });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'ExpiredAuthenticationToken');
      assert.match(res.body.error.message as string, /expiry UTC time/);
      assert.ok(res.headers['www-authenticate']);
    });

    it('401 InvalidAuthenticationTokenAudience for a storage token on ARM', async () => {
      const storageToken = await tokenFor(spCredential(sandbox, contoso), 'https://storage.azure.com/.default');
      const res = await request(sandbox, 'GET', url(), { token: storageToken });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'InvalidAuthenticationTokenAudience');
      assert.match(res.body.error.message as string, /wrong audience or resource 'https:\/\/storage\.azure\.com'/);
    });

    it('403 InvalidAuthenticationTokenTenant for tenant A on tenant B (through the SDK)', async () => {
      const client = resources(contoso, fabrikamSub);
      await assert.rejects(
        () => client.resourceGroups.get('anything'),
        (err: RestError) => err.statusCode === 403 && err.code === 'InvalidAuthenticationTokenTenant',
      );
    });
  });

  describe('ARM conventions', () => {
    it('400 MissingApiVersionParameter and InvalidApiVersionParameter (listing supported versions)', async () => {
      const missing = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups`, { token: armToken });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'MissingApiVersionParameter');
      const wrong = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups?api-version=1999-01-01`, { token: armToken });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.code, 'InvalidApiVersionParameter');
      assert.match(wrong.body.error.message as string, /2025-04-01/);
    });

    it('matches paths case-insensitively and collapses //', async () => {
      const client = resources(contoso, contosoSub);
      await client.resourceGroups.createOrUpdate('Case-RG', { location: 'westeurope' });
      const res = await request(sandbox, 'GET', `${sandbox.armEndpoint}//SUBSCRIPTIONS/${contosoSub}//RESOURCEGROUPS/case-rg?api-version=2025-04-01`, { token: armToken });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.name, 'Case-RG');
    });

    it('answers unknown routes like ARM (404 codes)', async () => {
      const ns = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/providers/Microsoft.Nope/things?api-version=2021-01-01`, { token: armToken });
      assert.equal(ns.status, 404);
      assert.equal(ns.body.error.code, 'InvalidResourceNamespace');
      const type = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/providers/Microsoft.Storage/gadgets?api-version=2025-08-01`, { token: armToken });
      assert.equal(type.status, 404);
      assert.equal(type.body.error.code, 'InvalidResourceType');
      const rg = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourceGroups/missing-rg/providers/Microsoft.Storage/storageAccounts/x?api-version=2025-08-01`, { token: armToken });
      assert.equal(rg.status, 404);
      assert.equal(rg.body.error.code, 'ResourceGroupNotFound');
      const sub = await request(sandbox, 'GET', `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups?api-version=2025-04-01`, { token: armToken });
      assert.equal(sub.status, 404);
      assert.equal(sub.body.error.code, 'SubscriptionNotFound');
      const missing = await resources(contoso, contosoSub).resourceGroups.get('nope').catch((e: RestError) => e);
      assert.equal((missing as RestError).statusCode, 404);
      assert.equal((missing as RestError).code, 'ResourceGroupNotFound');
    });

    it('pages with nextLink (SDK follows it; POST on a nextLink works too)', async () => {
      const client = resources(contoso, contosoSub);
      const names = Array.from({ length: 57 }, (_, i) => `page-rg-${String(i).padStart(2, '0')}`);
      for (let i = 0; i < names.length; i += 10) {
        await Promise.all(names.slice(i, i + 10).map((n) => client.resourceGroups.createOrUpdate(n, { location: 'eastus' })));
      }
      const first = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups?api-version=2025-04-01`, { token: armToken });
      assert.equal(first.body.value.length, 50);
      assert.match(first.body.nextLink as string, /^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*(\$|%24)skipToken=/);
      const second = await request(sandbox, 'POST', first.body.nextLink as string, { token: armToken });
      assert.equal(second.status, 200, second.text);
      assert.ok(second.body.value.length > 0);
      const all: string[] = [];
      for await (const rg of client.resourceGroups.list()) {
        all.push(rg.name as string);
      }
      for (const n of names) {
        assert.ok(all.includes(n), `missing ${n}`);
      }
    });

    it('lists subscriptions and tenants of the caller only', async () => {
      const subs = await request(sandbox, 'GET', '/subscriptions?api-version=2022-12-01', { token: armToken });
      assert.deepEqual(
        subs.body.value.map((s: { subscriptionId: string }) => s.subscriptionId),
        [contosoSub],
      );
      const tenants = await request(sandbox, 'GET', '/tenants?api-version=2022-12-01', { token: armToken });
      assert.equal(tenants.body.value[0].tenantId, contoso.tenantId);
      assert.equal(tenants.body.value.length, 1);
    });

    it('resource group delete is a long-running operation (202 + Location, then 204)', async () => {
      const client = resources(contoso, contosoSub);
      await client.resourceGroups.createOrUpdate('lro-rg', { location: 'eastus' });
      const res = await request(sandbox, 'DELETE', `/subscriptions/${contosoSub}/resourcegroups/lro-rg?api-version=2025-04-01`, { token: armToken });
      assert.equal(res.status, 202);
      assert.ok(res.headers.location);
      assert.equal(res.headers['retry-after'], '0');
      let poll = await request(sandbox, 'GET', res.headers.location as string, { token: armToken });
      for (let i = 0; i < 50 && poll.status === 202; i++) {
        await new Promise((r) => setTimeout(r, 20));
        poll = await request(sandbox, 'GET', res.headers.location as string, { token: armToken });
      }
      assert.equal(poll.status, 204);
      assert.equal(await client.resourceGroups.checkExistence('lro-rg').then((r) => r.body), false);
      // through the SDK poller
      await client.resourceGroups.createOrUpdate('lro-rg2', { location: 'eastus' });
      await client.resourceGroups.beginDeleteAndWait('lro-rg2', { updateIntervalInMs: 10 });
      await assert.rejects(() => client.resourceGroups.get('lro-rg2'), (e: RestError) => e.statusCode === 404);
    });
  });

  describe('long-running operations', () => {
    const thingUrl = (name: string) => `/subscriptions/${contosoSub}/resourceGroups/lro-probe/providers/Sandbox.Probe/things/${name}?api-version=2024-01-01`;

    before(async () => {
      await resources(contoso, contosoSub).resourceGroups.createOrUpdate('lro-probe', { location: 'eastus' });
    });

    it('PUT answers 201 with Azure-AsyncOperation + Location; status Succeeded, Location 200 + body', async () => {
      const res = await request(sandbox, 'PUT', thingUrl('ok1'), { token: armToken, body: {} });
      assert.equal(res.status, 201);
      assert.equal(res.body.properties.provisioningState, 'Creating');
      const statusUrl = res.headers['azure-asyncoperation'] as string;
      assert.match(statusUrl, /\/providers\/Sandbox\.Probe\/operationStatuses\/[0-9a-f-]+\?api-version=2024-01-01$/);
      let status = await request(sandbox, 'GET', statusUrl, { token: armToken });
      for (let i = 0; i < 50 && status.body.status === 'InProgress'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        status = await request(sandbox, 'GET', statusUrl, { token: armToken });
      }
      assert.equal(status.body.status, 'Succeeded');
      const final = await request(sandbox, 'GET', res.headers.location as string, { token: armToken });
      assert.equal(final.status, 200);
      assert.equal(final.body.properties.provisioningState, 'Succeeded');
      // another tenant cannot read the operation
      const other = await tokenFor(spCredential(sandbox, fabrikam), ARM_SCOPE);
      const foreign = await request(sandbox, 'GET', statusUrl.replace(contosoSub, fabrikamSub), { token: other });
      assert.equal(foreign.status, 404);
    });

    it('failed work reports {status:"Failed", error} and the Location URL answers the error', async () => {
      const res = await request(sandbox, 'PUT', thingUrl('fail1'), { token: armToken, body: {} });
      assert.equal(res.status, 201);
      let status = await request(sandbox, 'GET', res.headers['azure-asyncoperation'] as string, { token: armToken });
      for (let i = 0; i < 50 && status.body.status === 'InProgress'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        status = await request(sandbox, 'GET', res.headers['azure-asyncoperation'] as string, { token: armToken });
      }
      assert.equal(status.body.status, 'Failed');
      assert.deepEqual(status.body.error, { code: 'ProbeFailed', message: 'The probe was asked to fail.' });
      const final = await request(sandbox, 'GET', res.headers.location as string, { token: armToken });
      assert.equal(final.body.error.code, 'ProbeFailed');
    });

    it('slowLro fault keeps an operation InProgress for the configured time', async () => {
      sandbox.setFaults([{ pattern: '/things/slow1', rate: 1, kind: 'slowLro', latencyMs: 400 }]);
      try {
        const started = Date.now();
        const res = await request(sandbox, 'PUT', thingUrl('slow1'), { token: armToken, body: {} });
        const url = res.headers['azure-asyncoperation'] as string;
        let status = await request(sandbox, 'GET', url, { token: armToken });
        assert.equal(status.body.status, 'InProgress');
        while (status.body.status === 'InProgress') {
          await new Promise((r) => setTimeout(r, 50));
          status = await request(sandbox, 'GET', url, { token: armToken });
        }
        assert.equal(status.body.status, 'Succeeded');
        assert.ok(Date.now() - started >= 380);
      } finally {
        sandbox.setFaults([]);
      }
    });

    it('advanceClock runs every provider onTick with the advanced time before answering', async () => {
      const before = ticks.length;
      const now = await sandbox.advanceClock(86_400);
      assert.equal(ticks.length, before + 1);
      assert.equal(ticks[ticks.length - 1].getTime(), now.getTime());
      assert.ok(now.getTime() - Date.now() > 86_000_000);
    });
  });

  describe('provider registration', () => {
    it('Microsoft.Purview answers 409 MissingSubscriptionRegistration until registered', async () => {
      const rm = resources(fabrikam, fabrikamSub);
      await rm.resourceGroups.createOrUpdate('gov', { location: 'westeurope' });
      const before = await rm.providers.get('Microsoft.Purview');
      assert.equal(before.registrationState, 'NotRegistered');
      assert.equal((await rm.providers.get('Microsoft.Storage')).registrationState, 'Registered');
      const purview = new PurviewManagementClient(spCredential(sandbox, fabrikam), fabrikamSub, { ...armOptions(sandbox), apiVersion: '2021-12-01' });
      await assert.rejects(
        () => purview.accounts.get('gov', 'fabrikam-gov'),
        (e: RestError) => e.statusCode === 409 && e.code === 'MissingSubscriptionRegistration' && /not registered to use namespace 'Microsoft.Purview'/.test(e.message),
      );
      const registered = await rm.providers.register('Microsoft.Purview');
      assert.equal(registered.registrationState, 'Registered');
      await assert.rejects(() => purview.accounts.get('gov', 'fabrikam-gov'), (e: RestError) => e.statusCode === 404 && e.code === 'ResourceNotFound');
      const list: string[] = [];
      for await (const p of rm.providers.list()) {
        list.push(`${p.namespace}:${p.registrationState}`);
      }
      assert.ok(list.includes('Microsoft.Purview:Registered'));
      assert.ok(list.includes('Microsoft.Authorization:Registered'));
    });
  });

  describe('RBAC', () => {
    it('403 AuthorizationFailed for a principal without a role; Reader can read but not write', async () => {
      const rm = resources(contoso, contosoSub);
      await rm.resourceGroups.createOrUpdate('rbac-rg', { location: 'eastus' });
      await rm.providers.register('Microsoft.Purview');
      // A Purview account's managed identity is a real principal in Contoso's directory with no roles.
      const purview = new PurviewManagementClient(spCredential(sandbox, contoso), contosoSub, { ...armOptions(sandbox), apiVersion: '2021-12-01' });
      const account = await purview.accounts.beginCreateOrUpdateAndWait('rbac-rg', 'contoso-rbac-pv', { location: 'westeurope', identity: { type: 'SystemAssigned' } }, { updateIntervalInMs: 10 });
      const miId = account.identity?.principalId as string;
      const miToken = await adminToken(sandbox, miId, 'https://management.azure.com');
      const denied = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups/rbac-rg?api-version=2025-04-01`, { token: miToken });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'AuthorizationFailed');
      assert.match(
        denied.body.error.message as string,
        new RegExp(`^The client '.+' with object id '${miId}' does not have authorization to perform action 'Microsoft\\.Resources/subscriptions/resourceGroups/read' over scope '/subscriptions/${contosoSub}/resourcegroups/rbac-rg' or the scope is invalid\\.`, 'i'),
      );
      const authz = new AuthorizationManagementClient(spCredential(sandbox, contoso), contosoSub, armOptions(sandbox));
      await authz.roleAssignments.create(`/subscriptions/${contosoSub}/resourceGroups/rbac-rg`, '0b0b0b0b-0000-4000-8000-000000000001', {
        roleDefinitionId: `/subscriptions/${contosoSub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
        principalId: miId,
        principalType: 'ServicePrincipal',
      });
      const allowed = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups/rbac-rg?api-version=2025-04-01`, { token: miToken });
      assert.equal(allowed.status, 200);
      const write = await request(sandbox, 'PATCH', `/subscriptions/${contosoSub}/resourcegroups/rbac-rg?api-version=2025-04-01`, { token: miToken, body: { tags: { a: 'b' } } });
      assert.equal(write.status, 403);
      assert.match(write.body.error.message as string, /Microsoft\.Resources\/subscriptions\/resourceGroups\/write/);
      // Reader at the resource group does not reach the subscription's other groups.
      const other = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups/case-rg?api-version=2025-04-01`, { token: miToken });
      assert.equal(other.status, 403);
      assert.ok(sandbox.core.authorization.hasRole(miId, `/subscriptions/${contosoSub}/resourceGroups/rbac-rg/providers/Microsoft.Storage/storageAccounts/x`, 'acdd72a7-3385-48ef-bd42-f606fba81ae7'));
    });
  });

  describe('faults and admin API', () => {
    afterEach(() => sandbox.setFaults([]));

    it('429 with Retry-After and TooManyRequests; the SDK retries and succeeds', async () => {
      const rm = resources(contoso, contosoSub);
      await rm.resourceGroups.createOrUpdate('fault-rg', { location: 'eastus' });
      sandbox.setFaults([{ pattern: '/resourcegroups/fault-rg$', methods: ['GET'], rate: 1, kind: 'throttle', retryAfterSeconds: 1, count: 1 }]);
      const raw = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups/fault-rg?api-version=2025-04-01`, { token: armToken });
      assert.equal(raw.status, 429);
      assert.equal(raw.headers['retry-after'], '1');
      assert.equal(raw.body.error.code, 'TooManyRequests');
      sandbox.setFaults([{ pattern: '/resourcegroups/fault-rg$', methods: ['GET'], rate: 1, kind: 'throttle', retryAfterSeconds: 1, count: 1 }]);
      const started = Date.now();
      const rg = await rm.resourceGroups.get('fault-rg');
      assert.equal(rg.name, 'fault-rg');
      assert.ok(Date.now() - started >= 900, 'the SDK waited for Retry-After');
    });

    it('admin faults API: POST/GET/DELETE, 503 with Retry-After, never on identity routes', async () => {
      const headers = { 'x-sandbox-admin-key': sandbox.adminKey };
      const set = await request(sandbox, 'POST', '/admin/faults', { headers, body: { rules: [{ pattern: '.*', rate: 1, kind: 'error503', retryAfterSeconds: 2 }] } });
      assert.equal(set.status, 200);
      const got = await request(sandbox, 'GET', '/admin/faults', { headers });
      assert.equal(got.body.rules.length, 1);
      const hit = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups?api-version=2025-04-01`, { token: armToken });
      assert.equal(hit.status, 503);
      assert.equal(hit.headers['retry-after'], '2');
      const tokenStillWorks = await tokenFor(spCredential(sandbox, fabrikam), 'https://graph.microsoft.com/.default');
      assert.ok(tokenStillWorks);
      const cleared = await request(sandbox, 'DELETE', '/admin/faults', { headers });
      assert.equal(cleared.status, 200);
      const ok = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups?api-version=2025-04-01`, { token: armToken });
      assert.equal(ok.status, 200);
    });

    it('admin clock: needs the key, advances and reports the sandbox time', async () => {
      const noKey = await request(sandbox, 'GET', '/admin/clock');
      assert.equal(noKey.status, 401);
      const headers = { 'x-sandbox-admin-key': sandbox.adminKey };
      const before = await request(sandbox, 'GET', '/admin/clock', { headers });
      const advanced = await request(sandbox, 'POST', '/admin/clock/advance', { headers, body: { seconds: 7200 } });
      assert.equal(advanced.status, 200);
      const delta = Date.parse(advanced.body.now as string) - Date.parse(before.body.now as string);
      assert.ok(delta >= 7200_000 && delta < 7260_000, `advanced by ${delta} ms`);
      // Tokens are checked against real time, so cached tokens keep working after a clock jump.
      const still = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups?api-version=2025-04-01`, { token: armToken });
      assert.equal(still.status, 200);
    });
  });
});
