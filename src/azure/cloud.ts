/**
 * Where the clients talk to: Azure's public cloud, or the local sandbox. The two differ only in
 * endpoints and the CA to trust; token scopes are the same (the sandbox accepts Azure's audiences).
 */
import { loadSandboxDescription, readSandboxCa, type SandboxDescription } from '../auth/sandbox';

export interface CloudConfig {
  /** Stable cache key, e.g. `AzureCloud` or `Sandbox(https://127.0.0.1:8443)`. */
  readonly id: string;
  readonly kind: 'azure' | 'sandbox';
  readonly displayName: string;
  /** ARM endpoint without trailing slash. */
  readonly armEndpoint: string;
  /** Entra ID authority host. */
  readonly authorityHost: string;
  /** Storage DNS suffix, used for `https://{account}.blob.{suffix}` endpoints. */
  readonly storageSuffix: string;
  /** PEM of a CA to trust (sandbox only). */
  readonly caPem?: string;
  /** Base of a path-style blob endpoint (`{base}/{account}/`), sandbox only. */
  readonly blobEndpoint?: string;
  /** Base of the Purview data plane (`{base}/{account}`), sandbox only. */
  readonly purviewEndpoint?: string;
}

/** Token scopes (identical for both clouds). */
export const SCOPES = {
  arm: 'https://management.azure.com/.default',
  storage: 'https://storage.azure.com/.default',
  purview: 'https://purview.azure.net/.default',
  graph: 'https://graph.microsoft.com/.default',
  keyVault: 'https://vault.azure.net/.default',
} as const;

export const AZURE_PUBLIC_CLOUD: CloudConfig = Object.freeze({
  id: 'AzureCloud',
  kind: 'azure',
  displayName: 'Azure',
  armEndpoint: 'https://management.azure.com',
  authorityHost: 'https://login.microsoftonline.com',
  storageSuffix: 'core.windows.net',
});

/** A CloudConfig for a running sandbox, from its description and CA PEM. */
export function sandboxCloud(description: SandboxDescription, caPem: string): CloudConfig {
  const armEndpoint = description.armEndpoint.replace(/\/+$/, '');
  return Object.freeze({
    id: `Sandbox(${armEndpoint})`,
    kind: 'sandbox' as const,
    displayName: 'Sandbox',
    armEndpoint,
    authorityHost: description.authorityHost.replace(/\/+$/, ''),
    storageSuffix: 'core.windows.net',
    caPem,
    ...(description.blobEndpoint ? { blobEndpoint: description.blobEndpoint.replace(/\/+$/, '') } : {}),
    ...(description.purviewEndpoint ? { purviewEndpoint: description.purviewEndpoint.replace(/\/+$/, '') } : {}),
  });
}

/** Reads `sandbox.json` and its CA certificate. */
export async function loadSandboxCloud(sandboxJsonPath: string): Promise<{ cloud: CloudConfig; description: SandboxDescription }> {
  const description = await loadSandboxDescription(sandboxJsonPath);
  const caPem = await readSandboxCa(description);
  return { cloud: sandboxCloud(description, caPem), description };
}

/** The blob endpoint of a storage account when ARM's `primaryEndpoints.blob` is not at hand. */
export function blobEndpointFor(cloud: CloudConfig, accountName: string): string {
  if (cloud.blobEndpoint) {
    return `${cloud.blobEndpoint}/${accountName}/`;
  }
  return `https://${accountName}.blob.${cloud.storageSuffix}/`;
}

/** The Purview data-plane endpoint of an account (`https://{account}.purview.azure.com` on Azure). */
export function purviewEndpointFor(cloud: CloudConfig, accountName: string): string {
  if (cloud.purviewEndpoint) {
    return `${cloud.purviewEndpoint}/${accountName}`;
  }
  return `https://${accountName}.purview.azure.com`;
}
