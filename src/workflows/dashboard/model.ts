/**
 * What the sharing dashboard gathers (facts, as read from Data Share, Purview and ARM) and what it
 * shows (figures and tables). Plain data: serializable, so the editor can hand figures to the
 * webview and the export can write every table.
 */

export interface DashboardTenant {
  tenantId: string;
  displayName: string;
}

export interface Schedule {
  recurrenceInterval: 'Hour' | 'Day' | string;
  /** First run (ISO); the schedule repeats every hour or day from it. */
  synchronizationTime: string;
  /** Where it was read: the provider's synchronization setting or the consumer's trigger. */
  source: 'synchronizationSetting' | 'trigger';
}

export interface DataSetFact {
  dataSetId: string;
  name: string;
  kind: string;
  storageAccountName?: string;
  container?: string;
  path?: string;
  /** Purview's canonical qualifiedName of the asset (blob/ADLS kinds), when it has one. */
  qualifiedName?: string;
}

export interface ConsumerFact {
  consumerName: string;
  consumerEmail: string;
  consumerTenantName: string;
  status: string;
  sharedAt?: string;
  createdAt?: string;
  expirationDate?: string;
}

/** A sent share (provider side). */
export interface ShareFact {
  id: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  accountName: string;
  shareName: string;
  schedules: Schedule[];
  dataSets: DataSetFact[];
  consumers: ConsumerFact[];
}

/** A received share (consumer side). */
export interface ReceivedFact {
  id: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  accountName: string;
  name: string;
  shareName: string;
  providerTenantName: string;
  providerName: string;
  status: string;
  schedules: Schedule[];
  /** The sent share in a connected tenant this subscription receives, when there is one (its history is read once, there). */
  providerShareId?: string;
}

export interface SyncFact {
  /** Which side's listing this run was read from (a run of a share whose both ends are connected is read once, provider side). */
  side: 'provider' | 'consumer';
  /** The sent share (provider side) or the share subscription (consumer side) it belongs to. */
  ownerId: string;
  /** The connected tenant the owner lives in. */
  tenantId: string;
  shareName: string;
  synchronizationId: string;
  status: string;
  startTime: string;
  endTime?: string;
  durationMs?: number;
  mode?: string;
  consumerName?: string;
  consumerTenantName?: string;
  message?: string;
  /** From listSynchronizationDetails (summed over data sets); undefined while not read yet. */
  filesWritten?: number;
  sizeWritten?: number;
}

export interface AssetFact {
  /** The provider tenant the asset lives in. */
  tenantId: string;
  qualifiedName: string;
  name: string;
  typeName?: string;
  guid?: string;
  /** Purview account it was found in. */
  purviewAccount?: string;
  classifications: string[];
  /** Sent shares carrying it, and the tenants it went to. */
  shareIds: string[];
  consumerTenants: string[];
  /** A cross-tenant snapshot process touches it in Purview; undefined when no catalog could say. */
  lineageLinked?: boolean;
  /** Data-quality result read from the entity (when the quality feature recorded one). */
  quality?: { passed: number; failed: number };
}

export interface StorageFact {
  id: string;
  tenantId: string;
  name: string;
  /** `Microsoft.Storage` (Microsoft-managed) or `Microsoft.Keyvault` (customer-managed). */
  keySource: string;
  keyVaultUri?: string;
  keyName?: string;
  keyVersion?: string;
  /** Identity the account uses for the key (user-assigned resource id), if any. */
  keyIdentity?: string;
  /** Extra state another check reports (key enabled, expiry near…), when that check exists. */
  state?: string;
}

export interface ApprovalFact {
  id: string;
  tenantId?: string;
  shareName?: string;
  requestedAt: string;
  decidedAt?: string;
  status: string;
}

export interface GatherStats {
  armCalls: number;
  purviewCalls: number;
  /** Longest chain of dependent round trips the gathering went through. */
  chainDepth: number;
  elapsedMs: number;
  /** Snapshots whose details (files, bytes) were read, and how many wait for the next pass. */
  detailsRead: number;
  detailsCached: number;
  detailsPending: number;
  /** History listings (one per share or received share) with older pages still to read. */
  historyPending?: number;
}

export interface DashboardData {
  gatheredAt: string;
  tenants: DashboardTenant[];
  shares: ShareFact[];
  received: ReceivedFact[];
  synchronizations: SyncFact[];
  assets: AssetFact[];
  storageAccounts: StorageFact[];
  /** undefined: approvals are not available in this build (shown as "no data"). */
  approvals?: ApprovalFact[];
  /** False when no quality results could be read (shown as "no data"). */
  qualityAvailable: boolean;
  warnings: string[];
  stats: GatherStats;
  /**
   * Set while history is loaded only back to this time (ISO): every listing's snapshots from it on
   * are here, older pages are still to be read (a first view bounded to recent history). Figures
   * over time start here; the last snapshot and last success of every share are known regardless.
   * Absent: the whole history is here.
   */
  historyFrom?: string;
}

export interface DashboardFilter {
  tenantIds?: string[];
  shareIds?: string[];
  /** ISO bounds (inclusive from, exclusive to). */
  from?: string;
  to?: string;
}
