/**
 * Server-side blob access for providers (contract `BlobData`): talks to the sandbox's Azurite with the
 * account keys the sandbox holds. Copies are server-side inside Azurite, with a short-lived SAS on the
 * source (an OAuth-only source fails with CannotVerifyCopySource, as in Azure).
 */
import { redactSecrets } from '../../common/redact';
import * as https from 'node:https';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  newPipeline,
  StorageSharedKeyCredential,
  type ContainerClient,
} from '@azure/storage-blob';
import { ArmError, type BlobData, type BlobItem } from './contract';

/** `{accountName, keys}` as kept in the `storageKeys` collection (key `{storageAccountId}/keys`). */
export interface StorageKeysRecord {
  accountName: string;
  resourceId: string;
  keys: { keyName: string; value: string; permissions: 'FULL' | 'READ'; creationTime: string }[];
}

/**
 * A storage-blob pipeline that trusts the sandbox CA. `@azure/storage-blob` has no `tlsOptions`; a
 * request-policy factory that sets the request's `agent` does the same job.
 */
export function pipelineTrusting(credential: StorageSharedKeyCredential | import('@azure/core-auth').TokenCredential, agent: https.Agent, extraHeaders: Record<string, string> = {}) {
  const pipeline = newPipeline(credential, { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2000 } });
  pipeline.factories.push({
    create: (next) => ({
      sendRequest: (request) => {
        request.agent = agent;
        for (const [name, value] of Object.entries(extraHeaders)) {
          request.headers.set(name, value);
        }
        return next.sendRequest(request);
      },
    }),
  });
  return pipeline;
}

export class AzuriteBlobData implements BlobData {
  private readonly clients = new Map<string, { key: string; client: BlobServiceClient; credential: StorageSharedKeyCredential }>();
  private readonly agent: https.Agent;
  /**
   * Sizes seen by recent listBlobs calls (`account/container/name` -> size), so that copyBlob can
   * report bytes copied without one more request per blob (a sync lists, then copies).
   */
  private readonly sizes = new Map<string, { size: number; etag: string; at: number }>();

  constructor(
    ca: string,
    private readonly endpoint: (account: string) => string,
    private readonly keyOf: (account: string) => string | undefined,
    /** Sent as `x-sandbox-trusted-copy` so Azurite skips re-validating our own SAS copy sources. */
    private readonly trustedCopyKey?: string,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 64 });
  }

  private service(account: string): { client: BlobServiceClient; credential: StorageSharedKeyCredential } {
    const key = this.keyOf(account);
    if (!key) {
      throw new ArmError(404, 'StorageAccountNotFound', `The storage account '${account}' does not exist in the sandbox. Create it first (Microsoft.Storage/storageAccounts).`);
    }
    const cached = this.clients.get(account);
    if (cached && cached.key === key) {
      return cached;
    }
    const credential = new StorageSharedKeyCredential(account, key);
    const headers: Record<string, string> = this.trustedCopyKey ? { 'x-sandbox-trusted-copy': this.trustedCopyKey } : {};
    const client = new BlobServiceClient(this.endpoint(account).replace(/\/$/, ''), pipelineTrusting(credential, this.agent, headers));
    const entry = { key, client, credential };
    this.clients.set(account, entry);
    return entry;
  }

  private container(account: string, container: string): ContainerClient {
    return this.service(account).client.getContainerClient(container);
  }

  async listBlobs(account: string, container: string, prefix?: string, signal?: AbortSignal): Promise<BlobItem[]> {
    const items: BlobItem[] = [];
    try {
      const now = Date.now();
      if (this.sizes.size > 200_000) {
        this.sizes.clear();
      }
      for await (const blob of this.container(account, container).listBlobsFlat({ prefix, abortSignal: signal })) {
        this.sizes.set(`${account}/${container}/${blob.name}`, { size: blob.properties.contentLength ?? 0, etag: blob.properties.etag, at: now });
        items.push({
          name: blob.name,
          size: blob.properties.contentLength ?? 0,
          contentMD5: blob.properties.contentMD5 ? Buffer.from(blob.properties.contentMD5).toString('base64') : undefined,
          lastModified: blob.properties.lastModified,
          etag: blob.properties.etag,
        });
      }
    } catch (err) {
      throw storageError(err, `list blobs in ${account}/${container}`);
    }
    return items;
  }

  /** Containers of an account (optionally only those starting with `prefix`). */
  async listContainers(account: string, prefix?: string): Promise<{ name: string; lastModified: Date; etag: string }[]> {
    const out: { name: string; lastModified: Date; etag: string }[] = [];
    try {
      for await (const c of this.service(account).client.listContainers({ prefix })) {
        out.push({ name: c.name, lastModified: c.properties.lastModified, etag: c.properties.etag });
      }
    } catch (err) {
      throw storageError(err, `list containers of ${account}`);
    }
    return out;
  }

  async containerExists(account: string, container: string): Promise<boolean> {
    try {
      return await this.container(account, container).exists();
    } catch (err) {
      throw storageError(err, `check container ${account}/${container}`);
    }
  }

  async ensureContainer(account: string, container: string): Promise<void> {
    try {
      await this.container(account, container).createIfNotExists();
    } catch (err) {
      throw storageError(err, `create container ${account}/${container}`);
    }
  }

  async deleteContainer(account: string, container: string): Promise<void> {
    try {
      await this.container(account, container).deleteIfExists();
    } catch (err) {
      throw storageError(err, `delete container ${account}/${container}`);
    }
  }

  /** Removes every container of an account (before the account itself is deleted). */
  async deleteAccountData(account: string): Promise<void> {
    if (!this.keyOf(account)) {
      return;
    }
    const svc = this.service(account).client;
    for await (const c of svc.listContainers()) {
      await svc.getContainerClient(c.name).deleteIfExists();
    }
    this.clients.delete(account);
  }

  async copyBlob(
    src: { account: string; container: string; name: string },
    dst: { account: string; container: string; name: string },
    signal?: AbortSignal,
  ): Promise<number> {
    try {
      const source = this.service(src.account);
      const sas = generateBlobSASQueryParameters(
        {
          containerName: src.container,
          blobName: src.name,
          permissions: BlobSASPermissions.parse('r'),
          startsOn: new Date(Date.now() - 5 * 60_000),
          expiresOn: new Date(Date.now() + 60 * 60_000),
        },
        source.credential,
      ).toString();
      const sourceUrl = `${source.client.getContainerClient(src.container).getBlobClient(src.name).url}?${sas}`;
      const target = this.container(dst.account, dst.container).getBlobClient(dst.name);
      const poller = await target.beginCopyFromURL(sourceUrl, { abortSignal: signal, intervalInMs: 100 });
      const result = await poller.pollUntilDone();
      if (result.copyStatus !== 'success') {
        throw new ArmError(500, 'CopyFailed', `Copying ${src.account}/${src.container}/${src.name} ended with status '${String(result.copyStatus)}'.`);
      }
      const key = `${src.account}/${src.container}/${src.name}`;
      const known = this.sizes.get(key);
      if (known && Date.now() - known.at < 120_000) {
        return known.size;
      }
      const props = await target.getProperties({ abortSignal: signal });
      return props.contentLength ?? 0;
    } catch (err) {
      throw storageError(err, `copy ${src.account}/${src.container}/${src.name} to ${dst.account}/${dst.container}/${dst.name}`);
    }
  }

  async readBlob(account: string, container: string, name: string, maxBytes?: number, signal?: AbortSignal): Promise<Buffer> {
    try {
      // A ranged GET returns what exists up to maxBytes (a shorter blob is not an error).
      const blob = this.container(account, container).getBlobClient(name);
      const res = await blob.download(0, maxBytes, { abortSignal: signal });
      const chunks: Buffer[] = [];
      for await (const chunk of res.readableStreamBody ?? []) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      return Buffer.concat(chunks);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 416) {
        return Buffer.alloc(0); // empty blob with a range
      }
      throw storageError(err, `read ${account}/${container}/${name}`);
    }
  }

  /** Writes a blob (used by the demo seed and tests). */
  async writeBlob(account: string, container: string, name: string, data: Buffer | string): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.container(account, container).getBlockBlobClient(name).uploadData(body);
  }

  close(): void {
    this.sizes.clear();
    this.agent.destroy();
    this.clients.clear();
  }
}

function storageError(err: unknown, what: string): Error {
  if (err instanceof ArmError) {
    return err;
  }
  const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
  if (e.name === 'AbortError') {
    return err as Error;
  }
  const status = e.statusCode && e.statusCode >= 400 ? e.statusCode : 500;
  // Storage errors can quote the request URL, SAS signature included: never pass that on.
  return new ArmError(status, e.code ?? 'StorageOperationFailed', `Could not ${what}: ${redactSecrets(e.message ?? String(err))}`);
}
