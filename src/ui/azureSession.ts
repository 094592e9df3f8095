import type * as Azure from '../azure';
import type { SandboxConnectionInfo } from '../workflows/connection';

let loading: Promise<typeof Azure> | undefined;

/**
 * Loads the Azure SDK bundle on first use. esbuild leaves this require pointing at dist/azure.js
 * (a separate bundle), so none of the SDKs is parsed while the extension activates.
 */
export function loadAzure(): Promise<typeof Azure> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loading ??= Promise.resolve().then(() => require('../azure/index.js') as typeof Azure);
  return loading;
}

/**
 * Clients for each tenant of the current connection, built by one factory: for the sandbox the
 * cloud is its ARM endpoint and CA, and the credential is the tenant's seeded user (a person
 * acting in their own tenant), exactly as Azure would be used with a signed-in account.
 */
export class AzureSession {
  private factory: Promise<{ azure: typeof Azure; cloud: Azure.CloudConfig; description: Azure.SandboxDescription; factory: Azure.AzureClientFactory }> | undefined;

  constructor(private readonly info: SandboxConnectionInfo) {}

  async clients(tenantId: string): Promise<Azure.AzureClients> {
    this.factory ??= (async () => {
      const azure = await loadAzure();
      const { cloud, description } = await azure.loadSandboxCloud(this.info.descriptionPath);
      return { azure, cloud, description, factory: new azure.AzureClientFactory() };
    })();
    const { azure, cloud, description, factory } = await this.factory;
    const credential = azure.sandboxCredentials(description, tenantId, 'user', { caPem: cloud.caPem });
    return factory.forTenant(cloud, tenantId, credential);
  }
}
