import * as path from 'path';
import { AzureClientFactory, sandboxCloud, sandboxCredentials, type AzureClients } from '../../src/azure';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import type { Workbench } from './workbench';

/**
 * Starts a sandbox whose description lands at <workspace>/.sandbox/sandbox.json (where the
 * extension looks by default) and returns the provider tenant's clients, acting as its service
 * principal, to set the scene through the same clients the extension uses.
 */
export async function startWorkspaceSandbox(wb: Workbench): Promise<{ sandbox: RunningSandbox; subscriptionId: string; clients: AzureClients; principalId: string }> {
  const sandbox = await startSandbox({ port: 0, dataDir: path.join(wb.workspace, '.sandbox'), quiet: true, lroRetryAfterSeconds: 0, seed: 'demo' });
  const contoso = sandbox.description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
  const clients = new AzureClientFactory({ lro: { intervalInMs: 50 } }).forTenant(
    sandboxCloud(sandbox.description, sandbox.ca), contoso.tenantId,
    sandboxCredentials(sandbox.description, contoso.tenantId, 'servicePrincipal', { caPem: sandbox.ca }));
  return { sandbox, subscriptionId: contoso.subscriptions[0].subscriptionId, clients, principalId: contoso.servicePrincipals[0].objectId };
}
