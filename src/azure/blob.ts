/**
 * Thin wrapper over `@azure/storage-blob` for one account's blob endpoint, with a token
 * credential (scope `https://storage.azure.com/.default`) and the sandbox CA when needed.
 *
 * storage-blob keeps its own pipeline (its retry policy, XML handling); we feed it the same
 * user agent, retry bounds and TLS settings as the other clients.
 */
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { SCOPES } from './cloud';
import { rethrowAsAzureError } from '../common/azureErrors';
import { DEFAULT_USER_AGENT, tlsOptionsFor, type PipelineSettings, type SignalLike } from './pipeline';

export interface BlobItemInfo {
  name: string;
  size: number;
  lastModified?: Date;
  etag?: string;
  contentType?: string;
  contentMD5?: string;
}

export interface BlobOptions {
  abortSignal?: SignalLike;
}

export interface BlobSettings extends Pick<PipelineSettings, 'caPem' | 'userAgent' | 'retry'> {
  /** Token scopes (default storage). */
  scopes?: string[];
}

export class BlobApi {
  readonly service: BlobServiceClient;

  /** `blobEndpoint` is the account's blob endpoint, e.g. `https://acct.blob.core.windows.net/` or the sandbox's `https://127.0.0.1:10000/acct/`. */
  constructor(
    readonly blobEndpoint: string,
    credential: TokenCredential,
    settings: BlobSettings = {},
  ) {
    const tls = tlsOptionsFor(settings.caPem);
    const options: StoragePipelineOptions & { tlsOptions?: typeof tls } = {
      userAgentOptions: { userAgentPrefix: settings.userAgent ?? DEFAULT_USER_AGENT },
      retryOptions: {
        maxTries: (settings.retry?.maxRetries ?? 4) + 1,
        retryDelayInMs: settings.retry?.retryDelayInMs ?? 800,
        maxRetryDelayInMs: settings.retry?.maxRetryDelayInMs ?? 30_000,
      },
      audience: settings.scopes ?? [SCOPES.storage],
      // Not in StoragePipelineOptions' type, but passed through to the core pipeline (tlsPolicy).
      ...(tls ? { tlsOptions: tls } : {}),
    };
    this.service = new BlobServiceClient(blobEndpoint, credential, options);
  }

  container(name: string): ContainerClient {
    return this.service.getContainerClient(name);
  }

  /** Creates the container if missing; resolves true when it was created. */
  async ensureContainer(container: string, options: BlobOptions = {}): Promise<boolean> {
    try {
      const res = await this.container(container).createIfNotExists({ abortSignal: options.abortSignal });
      return res.succeeded;
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }

  async upload(container: string, blobName: string, data: string | Uint8Array, options: BlobOptions & { contentType?: string } = {}): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      await this.container(container)
        .getBlockBlobClient(blobName)
        .upload(bytes, bytes.byteLength, {
          abortSignal: options.abortSignal,
          blobHTTPHeaders: { blobContentType: options.contentType ?? (typeof data === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream') },
        });
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }

  /** Lists blobs (flat), optionally under a prefix. */
  async *list(container: string, options: BlobOptions & { prefix?: string } = {}): AsyncIterableIterator<BlobItemInfo> {
    try {
      for await (const item of this.container(container).listBlobsFlat({ prefix: options.prefix, abortSignal: options.abortSignal })) {
        yield {
          name: item.name,
          size: item.properties.contentLength ?? 0,
          lastModified: item.properties.lastModified,
          etag: item.properties.etag,
          contentType: item.properties.contentType,
          contentMD5: item.properties.contentMD5 ? Buffer.from(item.properties.contentMD5).toString('base64') : undefined,
        };
      }
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }

  /** Downloads a blob (or its first `maxBytes`). */
  async download(container: string, blobName: string, options: BlobOptions & { maxBytes?: number } = {}): Promise<Buffer> {
    try {
      return await this.container(container).getBlobClient(blobName).downloadToBuffer(0, options.maxBytes, { abortSignal: options.abortSignal });
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }

  async downloadText(container: string, blobName: string, options: BlobOptions & { maxBytes?: number } = {}): Promise<string> {
    return (await this.download(container, blobName, options)).toString('utf8');
  }

  async deleteBlob(container: string, blobName: string, options: BlobOptions = {}): Promise<boolean> {
    try {
      return (await this.container(container).getBlobClient(blobName).deleteIfExists({ abortSignal: options.abortSignal })).succeeded;
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }
}
