/** Helpers for integration tests of the sandbox's Purview data plane (real HTTPS, real SDK clients). */
/* eslint-disable @typescript-eslint/no-explicit-any -- REST bodies are checked field by field */
import * as crypto from 'node:crypto';
import { getClient, type Client } from '@azure-rest/core-client';
import type { TokenCredential } from '@azure/core-auth';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { PurviewManagementClient } from '@azure/arm-purview';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import type { RunningSandbox, SandboxTenantDescription } from '../../../src/sandbox';
import { armOptions, ARM_SCOPE, spCredential } from './sandbox';

export const PURVIEW_SCOPE = 'https://purview.azure.net/.default';
export const BLOB_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';

/** `@azure-rest/core-client` for one Purview account, as the extension's clients build it. */
export function purviewClient(sandbox: RunningSandbox, account: string, credential: TokenCredential, apiVersion?: string): Client {
  return getClient(`${sandbox.description.purviewEndpoint}/${account}`, credential, {
    credentials: { scopes: [PURVIEW_SCOPE] },
    tlsOptions: { ca: sandbox.ca },
    retryOptions: { maxRetries: 0 },
    ...(apiVersion ? { apiVersion } : {}),
  });
}

export function arm(sandbox: RunningSandbox, t: SandboxTenantDescription) {
  const cred = spCredential(sandbox, t);
  const sub = t.subscriptions[0].subscriptionId;
  return {
    sub,
    rm: new ResourceManagementClient(cred, sub, armOptions(sandbox)),
    storage: new StorageManagementClient(cred, sub, { endpoint: sandbox.armEndpoint, credentials: { scopes: [ARM_SCOPE] }, tlsOptions: { ca: sandbox.ca } }),
    authz: new AuthorizationManagementClient(cred, sub, armOptions(sandbox)),
    purview: new PurviewManagementClient(cred, sub, { ...armOptions(sandbox), apiVersion: '2021-12-01' }),
  };
}

/** Resource group, storage account (with containers and blobs written through the sandbox) and a Purview account. */
export async function provisionTenant(
  sandbox: RunningSandbox,
  t: SandboxTenantDescription,
  names: { rg: string; storage: string; purview: string },
  blobs: Record<string, Record<string, string>> = {},
): Promise<{ storageId: string; principalId: string; purviewEndpoints: { catalog?: string; scan?: string } }> {
  const c = arm(sandbox, t);
  await c.rm.resourceGroups.createOrUpdate(names.rg, { location: 'westeurope' });
  await c.rm.providers.register('Microsoft.Purview');
  const storage = await c.storage.storageAccounts.beginCreateAndWait(names.rg, names.storage, { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }, { updateIntervalInMs: 10 });
  for (const [container, files] of Object.entries(blobs)) {
    await sandbox.core.blobs.ensureContainer(names.storage, container);
    for (const [name, content] of Object.entries(files)) {
      await sandbox.core.blobs.writeBlob(names.storage, container, name, content);
    }
  }
  const pv = await c.purview.accounts.beginCreateOrUpdateAndWait(names.rg, names.purview, { location: 'westeurope', identity: { type: 'SystemAssigned' } }, { updateIntervalInMs: 10 });
  return { storageId: storage.id as string, principalId: pv.identity?.principalId as string, purviewEndpoints: { catalog: pv.endpoints?.catalog, scan: pv.endpoints?.scan } };
}

export async function grantBlobReader(sandbox: RunningSandbox, t: SandboxTenantDescription, storageId: string, principalId: string): Promise<void> {
  const c = arm(sandbox, t);
  await c.authz.roleAssignments.create(storageId, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${c.sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`,
    principalId,
    principalType: 'ServicePrincipal',
  });
}

/** Starts a scan run (PUT .../runs/{runId}) and polls its Operation-Location until it ends. */
export async function runScanToEnd(client: Client, ds: string, scan: string, runId = crypto.randomUUID()): Promise<any> {
  const start = await client.path('/scan/datasources/{ds}/scans/{scan}/runs/{runId}', ds, scan, runId).put({ queryParameters: { scanLevel: 'Full', 'api-version': '2023-09-01' } });
  if (start.status !== '202') {
    throw new Error(`run did not start: ${start.status} ${JSON.stringify(start.body)}`);
  }
  const location = start.headers['operation-location'];
  if (!location) {
    throw new Error('no Operation-Location header');
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await client.pathUnchecked(location).get();
    const status = (res.body as any)?.status as string;
    if (['Succeeded', 'Failed', 'Canceled'].includes(status)) {
      return res.body;
    }
    if (Date.now() > deadline) {
      throw new Error(`run ${runId} still ${status} after 60 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
