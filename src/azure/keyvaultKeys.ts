/**
 * Key Vault keys data plane through `@azure/keyvault-keys` 4.10 (api 2025-07-01): create RSA keys,
 * new versions (rotate), read, list versions, enable/disable.
 *
 * Authentication is Key Vault's challenge: the client's first request carries no token, the vault
 * answers 401 with `WWW-Authenticate: Bearer authorization="{authority}/{tenant}",
 * resource="https://vault.azure.net"`, and the client retries with a token for that resource and
 * tenant. The client then checks that the vault's host ends with `.vault.azure.net` (the
 * challenge's resource). The sandbox's vaults live at `https://127.0.0.1:{port}/`, which cannot
 * pass that check, so against the sandbox (and only there) `disableChallengeResourceVerification`
 * is set; the challenge itself, the token audience and the tenant are still enforced.
 */
import type { TokenCredential } from '@azure/core-auth';
import { KeyClient, type KeyProperties, type KeyVaultKey } from '@azure/keyvault-keys';
import { sdkCall } from './arm/common';
import type { CloudConfig } from './cloud';
import { commonPipelineOptions, type PipelineSettings } from './pipeline';

export type { KeyProperties, KeyVaultKey };

export interface KeyVaultKeysSettings extends PipelineSettings {
  cloud: CloudConfig;
}

export class KeyVaultKeysApi {
  readonly sdk: KeyClient;

  constructor(
    readonly vaultUrl: string,
    credential: TokenCredential,
    settings: KeyVaultKeysSettings,
  ) {
    const { cloud, ...pipeline } = settings;
    this.sdk = new KeyClient(vaultUrl, credential, {
      ...commonPipelineOptions({ ...pipeline, caPem: cloud.caPem }),
      ...(cloud.kind === 'sandbox' ? { disableChallengeResourceVerification: true } : {}),
    });
  }

  createRsaKey(name: string, options: { keySize?: 2048 | 3072 | 4096; expiresOn?: Date; abortSignal?: AbortSignal } = {}): Promise<KeyVaultKey> {
    return sdkCall(() => this.sdk.createRsaKey(name, { keySize: options.keySize ?? 2048, keyOps: ['wrapKey', 'unwrapKey'], ...(options.expiresOn ? { expiresOn: options.expiresOn } : {}), abortSignal: options.abortSignal }));
  }

  getKey(name: string, version?: string, options: { abortSignal?: AbortSignal } = {}): Promise<KeyVaultKey> {
    return sdkCall(() => this.sdk.getKey(name, { ...(version ? { version } : {}), abortSignal: options.abortSignal }));
  }

  /** A new key version (the account follows it when its key version is empty). */
  rotateKey(name: string, options: { abortSignal?: AbortSignal } = {}): Promise<KeyVaultKey> {
    return sdkCall(() => this.sdk.rotateKey(name, { abortSignal: options.abortSignal }));
  }

  async listVersions(name: string, options: { abortSignal?: AbortSignal } = {}): Promise<KeyProperties[]> {
    return sdkCall(async () => {
      const out: KeyProperties[] = [];
      for await (const p of this.sdk.listPropertiesOfKeyVersions(name, { abortSignal: options.abortSignal })) out.push(p);
      return out;
    });
  }

  /** Enables or disables a version (the newest when `version` is omitted). */
  setEnabled(name: string, enabled: boolean, version?: string, options: { abortSignal?: AbortSignal } = {}): Promise<KeyVaultKey> {
    return sdkCall(() => (version ? this.sdk.updateKeyProperties(name, version, { enabled, abortSignal: options.abortSignal }) : this.sdk.updateKeyProperties(name, { enabled, abortSignal: options.abortSignal })));
  }
}
