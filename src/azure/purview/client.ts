/**
 * One Purview account's data plane: Data Map, scanning and collections on a single pipeline
 * (one token cache for `https://purview.azure.net/.default`, one connection pool).
 *
 *   const pv = clients.purviewDataPlane('contoso');           // or 'https://contoso.purview.azure.com'
 *   await pv.dataMap.entities.getByUniqueAttribute('azure_blob_container', qn);
 *   const run = await pv.scanning.runs.runScanAndWait('src', 'scan1', undefined, {scanLevel: 'Full'});
 *   for await (const c of pv.collections.list()) { … }
 */
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineSettings } from '../pipeline';
import { PurviewCaller } from './caller';
import { CollectionsClient } from './collections';
import { DataMapClient } from './datamap';
import { ScanningClient } from './scanning';

export interface PurviewDataPlaneOptions extends PipelineSettings {
  /** Token scopes; default `https://purview.azure.net/.default`. */
  scopes?: string[];
}

export class PurviewDataPlaneClient {
  /** The account endpoint (no trailing slash). */
  readonly endpoint: string;
  readonly caller: PurviewCaller;
  readonly dataMap: DataMapClient;
  readonly scanning: ScanningClient;
  readonly collections: CollectionsClient;

  constructor(endpoint: string, credential: TokenCredential, options: PurviewDataPlaneOptions = {}) {
    this.caller = new PurviewCaller({ ...options, endpoint, credential });
    this.endpoint = this.caller.endpoint;
    this.dataMap = new DataMapClient(this.caller);
    this.scanning = new ScanningClient(this.caller);
    this.collections = new CollectionsClient(this.caller);
  }
}

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{1,61}[A-Za-z0-9]$/;

/** True when `value` is an absolute http(s) URL rather than an account name. */
export function isEndpointUrl(value: string): boolean {
  return /^https?:\/\//i.test(value.trim());
}

/** Throws unless `name` is a valid Purview account name (3-63 letters, digits, hyphens). */
export function assertPurviewAccountName(name: string): void {
  if (!ACCOUNT_NAME.test(name)) {
    throw new TypeError(`Not a Purview account name or endpoint URL: ${name}`);
  }
}
