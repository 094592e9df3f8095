/**
 * Hand-written Azure Data Share client (ARM, api-version 2021-08-01) covering every operation of
 * the original swagger. Operations are grouped like the Azure SDKs
 * (`client.accounts.get(ref)`, `client.shares.createOrUpdate(ref, share)`,
 * `client.shareSubscriptions.synchronizeAndWait(ref, {synchronizationMode: 'FullSync'})`).
 *
 * - every method takes `{ abortSignal }`;
 * - lists return a `PagedIterable` (async iterable of items, `.byPage()`, `.collect({max})`);
 * - long-running operations come as `beginX()` → `LroPoller` and `xAndWait()`;
 * - failures are `AzureRequestError`s; cancellation rejects with an `AbortError`.
 */
import type { TokenCredential } from '@azure/core-auth';
import { beginLro, type FinalStateVia, type LroOptions, type LroPoller } from '../core/lro';
import { pagedList, type PagedIterable } from '../core/paging';
import { RestCaller, type HttpMethod, type QueryValue } from '../core/rest';
import type { ArmBatchStats } from '../armBatch';
import type { PipelineSettings, SignalLike } from '../pipeline';
import {
  READ_ONLY_PROPERTIES,
  toRequestBody,
  type Account,
  type AccountCreate,
  type AccountUpdateParameters,
  type ConsumerInvitation,
  type ConsumerSourceDataSet,
  type DataSet,
  type DataSetCreate,
  type DataSetMapping,
  type DataSetMappingCreate,
  type EmailRegistration,
  type Identity,
  type Invitation,
  type InvitationCreate,
  type OperationModel,
  type ProviderShareSubscription,
  type Share,
  type ShareCreate,
  type ShareSubscription,
  type ShareSubscriptionCreate,
  type ShareSubscriptionSynchronization,
  type ShareSynchronization,
  type SourceShareSynchronizationSetting,
  type SynchronizationDetails,
  type SynchronizationMode,
  type SynchronizationSetting,
  type SynchronizationSettingCreate,
  type Trigger,
  type TriggerCreate,
} from './models';
import {
  paths,
  type AccountRef,
  type DataSetMappingRef,
  type DataSetRef,
  type InvitationRef,
  type ProviderShareSubscriptionRef,
  type ResourceGroupRef,
  type ShareRef,
  type ShareSubscriptionRef,
  type SynchronizationSettingRef,
  type TriggerRef,
} from './paths';

export const DATA_SHARE_API_VERSION = '2021-08-01';
export const ARM_DEFAULT_SCOPE = 'https://management.azure.com/.default';

export interface OperationOptions {
  abortSignal?: SignalLike;
}

export interface ListOptions extends OperationOptions {
  /** Start from a `$skipToken` (rarely needed: pages are followed automatically). */
  skipToken?: string;
}

export interface FilteredListOptions extends ListOptions {
  /** OData filter, e.g. `name eq 'x'`. */
  filter?: string;
  /** OData order, e.g. `startTime desc` (synchronizations are flat: no `properties/`). */
  orderby?: string;
}

export interface DataShareClientOptions extends PipelineSettings {
  /** ARM endpoint; default `https://management.azure.com`. */
  endpoint?: string;
  /** Token scopes; default `https://management.azure.com/.default`. */
  scopes?: string[];
  /** Default `2021-08-01` (the only version this client is typed for). */
  apiVersion?: string;
  /** Concurrent reads go through ARM's batch endpoint (see ../armBatch.ts); the factory turns it on. */
  batchReads?: boolean;
}

type Lro<T> = LroOptions<T>;

/** Shared plumbing for the operation groups. */
class Ops {
  constructor(protected readonly caller: RestCaller) {}

  protected async call<T>(method: HttpMethod, path: string, body: unknown, options: OperationOptions | undefined, query?: Record<string, QueryValue>): Promise<T> {
    const res = await this.caller.send<T>(method, this.caller.url(path, query), body, { abortSignal: options?.abortSignal });
    return res.body as T;
  }

  protected listAt<T>(path: string, options: FilteredListOptions | undefined, method: 'GET' | 'POST' = 'GET', body?: unknown): PagedIterable<T> {
    const query = { $skipToken: options?.skipToken, $filter: options?.filter, $orderby: options?.orderby };
    return pagedList<T>(this.caller, { method, url: this.caller.url(path, query), body }, { abortSignal: options?.abortSignal });
  }

  protected begin<T>(method: 'PUT' | 'POST' | 'DELETE' | 'PATCH', path: string, body: unknown, options: Lro<T> | undefined, finalStateVia?: FinalStateVia): Promise<LroPoller<T>> {
    return beginLro<T>(this.caller, { method, url: this.caller.url(path), body, finalStateVia }, options);
  }

  protected async wait<T>(poller: Promise<LroPoller<T>>, options: Lro<T> | undefined): Promise<T> {
    return (await poller).pollUntilDone({ abortSignal: options?.abortSignal });
  }
}

// ---------------------------------------------------------------------------------------------
// Provider side
// ---------------------------------------------------------------------------------------------

export type AccountInput = Omit<AccountCreate, 'identity'> & { identity?: Identity };

export class AccountsOperations extends Ops {
  /** Accounts_ListBySubscription */
  listBySubscription(subscriptionId: string, options?: ListOptions): PagedIterable<Account> {
    return this.listAt(paths.accountsBySubscription(subscriptionId), options);
  }
  /** Accounts_ListByResourceGroup */
  listByResourceGroup(ref: ResourceGroupRef, options?: ListOptions): PagedIterable<Account> {
    return this.listAt(paths.accountsByResourceGroup(ref), options);
  }
  /** Accounts_Get */
  get(ref: AccountRef, options?: OperationOptions): Promise<Account> {
    return this.call('GET', paths.account(ref), undefined, options);
  }
  /** Accounts_Create (LRO). `identity` defaults to `{type: 'SystemAssigned'}` (required by the service). */
  beginCreateOrUpdate(ref: AccountRef, account: AccountInput, options?: Lro<Account>): Promise<LroPoller<Account>> {
    const body = toRequestBody({ ...account, identity: account.identity ?? { type: 'SystemAssigned' } }, READ_ONLY_PROPERTIES.account);
    return this.begin('PUT', paths.account(ref), body, options);
  }
  createOrUpdateAndWait(ref: AccountRef, account: AccountInput, options?: Lro<Account>): Promise<Account> {
    return this.wait(this.beginCreateOrUpdate(ref, account, options), options);
  }
  /** Accounts_Update (PATCH tags). */
  update(ref: AccountRef, parameters: AccountUpdateParameters, options?: OperationOptions): Promise<Account> {
    return this.call('PATCH', paths.account(ref), parameters, options);
  }
  /** Accounts_Delete (LRO). */
  beginDelete(ref: AccountRef, options?: Lro<void>): Promise<LroPoller<void>> {
    return this.begin('DELETE', paths.account(ref), undefined, options);
  }
  deleteAndWait(ref: AccountRef, options?: Lro<void>): Promise<void> {
    return this.wait(this.beginDelete(ref, options), options);
  }
}

export class SharesOperations extends Ops {
  /** Shares_ListByAccount */
  listByAccount(ref: AccountRef, options?: FilteredListOptions): PagedIterable<Share> {
    return this.listAt(paths.shares(ref), options);
  }
  /** Shares_Get */
  get(ref: ShareRef, options?: OperationOptions): Promise<Share> {
    return this.call('GET', paths.share(ref), undefined, options);
  }
  /** Shares_Create (PUT; 201 created, 200 updated). */
  createOrUpdate(ref: ShareRef, share: ShareCreate, options?: OperationOptions): Promise<Share> {
    return this.call('PUT', paths.share(ref), toRequestBody(share, READ_ONLY_PROPERTIES.share), options);
  }
  /** Shares_Delete (LRO). */
  beginDelete(ref: ShareRef, options?: Lro<void>): Promise<LroPoller<void>> {
    return this.begin('DELETE', paths.share(ref), undefined, options);
  }
  deleteAndWait(ref: ShareRef, options?: Lro<void>): Promise<void> {
    return this.wait(this.beginDelete(ref, options), options);
  }
  /** Shares_ListSynchronizations (POST list). */
  listSynchronizations(ref: ShareRef, options?: FilteredListOptions): PagedIterable<ShareSynchronization> {
    return this.listAt(`${paths.share(ref)}/listSynchronizations`, options, 'POST');
  }
  /** Shares_ListSynchronizationDetails (POST list). */
  listSynchronizationDetails(ref: ShareRef, synchronization: { synchronizationId: string }, options?: FilteredListOptions): PagedIterable<SynchronizationDetails> {
    return this.listAt(`${paths.share(ref)}/listSynchronizationDetails`, options, 'POST', { synchronizationId: synchronization.synchronizationId });
  }
}

export class DataSetsOperations extends Ops {
  /** DataSets_ListByShare */
  listByShare(ref: ShareRef, options?: FilteredListOptions): PagedIterable<DataSet> {
    return this.listAt(paths.dataSets(ref), options);
  }
  /** DataSets_Get */
  get(ref: DataSetRef, options?: OperationOptions): Promise<DataSet> {
    return this.call('GET', paths.dataSet(ref), undefined, options);
  }
  /** DataSets_Create: `{kind, properties}`; the response carries the read-only `properties.dataSetId`. */
  createOrUpdate(ref: DataSetRef, dataSet: DataSetCreate, options?: OperationOptions): Promise<DataSet> {
    return this.call('PUT', paths.dataSet(ref), toRequestBody(dataSet, READ_ONLY_PROPERTIES.dataSet), options);
  }
  /** DataSets_Delete (LRO). */
  beginDelete(ref: DataSetRef, options?: Lro<void>): Promise<LroPoller<void>> {
    return this.begin('DELETE', paths.dataSet(ref), undefined, options);
  }
  deleteAndWait(ref: DataSetRef, options?: Lro<void>): Promise<void> {
    return this.wait(this.beginDelete(ref, options), options);
  }
}

export class InvitationsOperations extends Ops {
  /** Invitations_ListByShare */
  listByShare(ref: ShareRef, options?: FilteredListOptions): PagedIterable<Invitation> {
    return this.listAt(paths.invitations(ref), options);
  }
  /** Invitations_Get */
  get(ref: InvitationRef, options?: OperationOptions): Promise<Invitation> {
    return this.call('GET', paths.invitation(ref), undefined, options);
  }
  /** Invitations_Create: target by email, or by tenant id + object id. */
  createOrUpdate(ref: InvitationRef, invitation: InvitationCreate, options?: OperationOptions): Promise<Invitation> {
    return this.call('PUT', paths.invitation(ref), toRequestBody(invitation, READ_ONLY_PROPERTIES.invitation), options);
  }
  /** Invitations_Delete (withdraws a pending invitation). */
  async delete(ref: InvitationRef, options?: OperationOptions): Promise<void> {
    await this.call('DELETE', paths.invitation(ref), undefined, options);
  }
}

export class SynchronizationSettingsOperations extends Ops {
  /** SynchronizationSettings_ListByShare */
  listByShare(ref: ShareRef, options?: ListOptions): PagedIterable<SynchronizationSetting> {
    return this.listAt(paths.synchronizationSettings(ref), options);
  }
  /** SynchronizationSettings_Get */
  get(ref: SynchronizationSettingRef, options?: OperationOptions): Promise<SynchronizationSetting> {
    return this.call('GET', paths.synchronizationSetting(ref), undefined, options);
  }
  /** SynchronizationSettings_Create (`kind: 'ScheduleBased'`). */
  createOrUpdate(ref: SynchronizationSettingRef, setting: SynchronizationSettingCreate, options?: OperationOptions): Promise<SynchronizationSetting> {
    return this.call('PUT', paths.synchronizationSetting(ref), toRequestBody(setting, READ_ONLY_PROPERTIES.synchronizationSetting), options);
  }
  /** SynchronizationSettings_Delete (LRO). */
  beginDelete(ref: SynchronizationSettingRef, options?: Lro<void>): Promise<LroPoller<void>> {
    return this.begin('DELETE', paths.synchronizationSetting(ref), undefined, options);
  }
  deleteAndWait(ref: SynchronizationSettingRef, options?: Lro<void>): Promise<void> {
    return this.wait(this.beginDelete(ref, options), options);
  }
}

export class ProviderShareSubscriptionsOperations extends Ops {
  /** ProviderShareSubscriptions_ListByShare */
  listByShare(ref: ShareRef, options?: ListOptions): PagedIterable<ProviderShareSubscription> {
    return this.listAt(paths.providerShareSubscriptions(ref), options);
  }
  /** ProviderShareSubscriptions_GetByShare */
  get(ref: ProviderShareSubscriptionRef, options?: OperationOptions): Promise<ProviderShareSubscription> {
    return this.call('GET', paths.providerShareSubscription(ref), undefined, options);
  }
  /** ProviderShareSubscriptions_Revoke (LRO, final state via Location). */
  beginRevoke(ref: ProviderShareSubscriptionRef, options?: Lro<ProviderShareSubscription>): Promise<LroPoller<ProviderShareSubscription>> {
    return this.begin('POST', `${paths.providerShareSubscription(ref)}/revoke`, undefined, options, 'location');
  }
  revokeAndWait(ref: ProviderShareSubscriptionRef, options?: Lro<ProviderShareSubscription>): Promise<ProviderShareSubscription> {
    return this.wait(this.beginRevoke(ref, options), options);
  }
  /** ProviderShareSubscriptions_Reinstate, optionally with a new expiration date. */
  reinstate(ref: ProviderShareSubscriptionRef, parameters: { expirationDate?: string } = {}, options?: OperationOptions): Promise<ProviderShareSubscription> {
    return this.call('POST', `${paths.providerShareSubscription(ref)}/reinstate`, { properties: stripUndefined(parameters) }, options);
  }
  /** ProviderShareSubscriptions_Adjust: change the expiration date. */
  adjust(ref: ProviderShareSubscriptionRef, parameters: { expirationDate: string }, options?: OperationOptions): Promise<ProviderShareSubscription> {
    return this.call('POST', `${paths.providerShareSubscription(ref)}/adjust`, { properties: { expirationDate: parameters.expirationDate } }, options);
  }
}

export class OperationsOperations extends Ops {
  /** Operations_List */
  list(options?: OperationOptions): PagedIterable<OperationModel> {
    return this.listAt(paths.operations(), options);
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer side
// ---------------------------------------------------------------------------------------------

export class ConsumerInvitationsOperations extends Ops {
  /** ConsumerInvitations_ListInvitations: tenant level, invitations addressed to the caller. */
  list(options?: ListOptions): PagedIterable<ConsumerInvitation> {
    return this.listAt(paths.listInvitations(), options);
  }
  /** ConsumerInvitations_Get */
  get(location: string, invitationId: string, options?: OperationOptions): Promise<ConsumerInvitation> {
    return this.call('GET', paths.consumerInvitation(location, invitationId), undefined, options);
  }
  /** ConsumerInvitations_RejectInvitation */
  reject(location: string, invitationId: string, options?: OperationOptions): Promise<ConsumerInvitation> {
    return this.call('POST', paths.locationAction(location, 'rejectInvitation'), { properties: { invitationId } }, options);
  }
}

export interface SynchronizeOptions extends Lro<ShareSubscriptionSynchronization> {
  /** Default `Incremental` (the service's default); use `FullSync` for the first snapshot. */
  synchronizationMode?: SynchronizationMode;
}

export class ShareSubscriptionsOperations extends Ops {
  /** ShareSubscriptions_ListByAccount */
  listByAccount(ref: AccountRef, options?: FilteredListOptions): PagedIterable<ShareSubscription> {
    return this.listAt(paths.shareSubscriptions(ref), options);
  }
  /** ShareSubscriptions_Get */
  get(ref: ShareSubscriptionRef, options?: OperationOptions): Promise<ShareSubscription> {
    return this.call('GET', paths.shareSubscription(ref), undefined, options);
  }
  /** ShareSubscriptions_Create: accepting an invitation is creating a share subscription. */
  createOrUpdate(ref: ShareSubscriptionRef, shareSubscription: ShareSubscriptionCreate, options?: OperationOptions): Promise<ShareSubscription> {
    return this.call('PUT', paths.shareSubscription(ref), toRequestBody(shareSubscription, READ_ONLY_PROPERTIES.shareSubscription), options);
  }
  /** Accepts an invitation: `sourceShareLocation` is the consumer invitation's `location`. */
  accept(
    ref: ShareSubscriptionRef,
    invitation: { invitationId: string; sourceShareLocation: string; expirationDate?: string },
    options?: OperationOptions,
  ): Promise<ShareSubscription> {
    return this.createOrUpdate(ref, { properties: stripUndefined(invitation) as ShareSubscriptionCreate['properties'] }, options);
  }
  /** ShareSubscriptions_Delete (LRO). */
  beginDelete(ref: ShareSubscriptionRef, options?: Lro<void>): Promise<LroPoller<void>> {
    return this.begin('DELETE', paths.shareSubscription(ref), undefined, options);
  }
  deleteAndWait(ref: ShareSubscriptionRef, options?: Lro<void>): Promise<void> {
    return this.wait(this.beginDelete(ref, options), options);
  }
  /**
   * ShareSubscriptions_Synchronize (LRO, final state via Location). The poller's
   * `getOperationState().initialResult` carries the new `synchronizationId` right away.
   */
  beginSynchronize(ref: ShareSubscriptionRef, options?: SynchronizeOptions): Promise<LroPoller<ShareSubscriptionSynchronization>> {
    const body = options?.synchronizationMode ? { synchronizationMode: options.synchronizationMode } : {};
    return this.begin('POST', `${paths.shareSubscription(ref)}/synchronize`, body, options, 'location');
  }
  synchronizeAndWait(ref: ShareSubscriptionRef, options?: SynchronizeOptions): Promise<ShareSubscriptionSynchronization> {
    return this.wait(this.beginSynchronize(ref, options), options);
  }
  /** ShareSubscriptions_CancelSynchronization (LRO, final state via Location). */
  beginCancelSynchronization(
    ref: ShareSubscriptionRef,
    synchronization: { synchronizationId: string },
    options?: Lro<ShareSubscriptionSynchronization>,
  ): Promise<LroPoller<ShareSubscriptionSynchronization>> {
    return this.begin('POST', `${paths.shareSubscription(ref)}/cancelSynchronization`, { synchronizationId: synchronization.synchronizationId }, options, 'location');
  }
  cancelSynchronizationAndWait(
    ref: ShareSubscriptionRef,
    synchronization: { synchronizationId: string },
    options?: Lro<ShareSubscriptionSynchronization>,
  ): Promise<ShareSubscriptionSynchronization> {
    return this.wait(this.beginCancelSynchronization(ref, synchronization, options), options);
  }
  /** ShareSubscriptions_ListSynchronizations (POST list). */
  listSynchronizations(ref: ShareSubscriptionRef, options?: FilteredListOptions): PagedIterable<ShareSubscriptionSynchronization> {
    return this.listAt(`${paths.shareSubscription(ref)}/listSynchronizations`, options, 'POST');
  }
  /** ShareSubscriptions_ListSynchronizationDetails (POST list). */
  listSynchronizationDetails(
    ref: ShareSubscriptionRef,
    synchronization: { synchronizationId: string },
    options?: FilteredListOptions,
  ): PagedIterable<SynchronizationDetails> {
    return this.listAt(`${paths.shareSubscription(ref)}/listSynchronizationDetails`, options, 'POST', { synchronizationId: synchronization.synchronizationId });
  }
  /** ShareSubscriptions_ListSourceShareSynchronizationSettings (POST list): the provider's schedule. */
  listSourceShareSynchronizationSettings(ref: ShareSubscriptionRef, options?: ListOptions): PagedIterable<SourceShareSynchronizationSetting> {
    return this.listAt(`${paths.shareSubscription(ref)}/listSourceShareSynchronizationSettings`, options, 'POST');
  }
}

export class ConsumerSourceDataSetsOperations extends Ops {
  /** ConsumerSourceDataSets_ListByShareSubscription */
  listByShareSubscription(ref: ShareSubscriptionRef, options?: ListOptions): PagedIterable<ConsumerSourceDataSet> {
    return this.listAt(paths.consumerSourceDataSets(ref), options);
  }
}

export class DataSetMappingsOperations extends Ops {
  /** DataSetMappings_ListByShareSubscription */
  listByShareSubscription(ref: ShareSubscriptionRef, options?: FilteredListOptions): PagedIterable<DataSetMapping> {
    return this.listAt(paths.dataSetMappings(ref), options);
  }
  /** DataSetMappings_Get */
  get(ref: DataSetMappingRef, options?: OperationOptions): Promise<DataSetMapping> {
    return this.call('GET', paths.dataSetMapping(ref), undefined, options);
  }
  /** DataSetMappings_Create: `{kind, properties: {dataSetId, <target>}}`. */
  createOrUpdate(ref: DataSetMappingRef, mapping: DataSetMappingCreate, options?: OperationOptions): Promise<DataSetMapping> {
    return this.call('PUT', paths.dataSetMapping(ref), toRequestBody(mapping, READ_ONLY_PROPERTIES.dataSetMapping), options);
  }
  /** DataSetMappings_Delete */
  async delete(ref: DataSetMappingRef, options?: OperationOptions): Promise<void> {
    await this.call('DELETE', paths.dataSetMapping(ref), undefined, options);
  }
}

export class TriggersOperations extends Ops {
  /** Triggers_ListByShareSubscription */
  listByShareSubscription(ref: ShareSubscriptionRef, options?: ListOptions): PagedIterable<Trigger> {
    return this.listAt(paths.triggers(ref), options);
  }
  /** Triggers_Get */
  get(ref: TriggerRef, options?: OperationOptions): Promise<Trigger> {
    return this.call('GET', paths.trigger(ref), undefined, options);
  }
  /** Triggers_Create (LRO). */
  beginCreateOrUpdate(ref: TriggerRef, trigger: TriggerCreate, options?: Lro<Trigger>): Promise<LroPoller<Trigger>> {
    return this.begin('PUT', paths.trigger(ref), toRequestBody(trigger, READ_ONLY_PROPERTIES.trigger), options);
  }
  createOrUpdateAndWait(ref: TriggerRef, trigger: TriggerCreate, options?: Lro<Trigger>): Promise<Trigger> {
    return this.wait(this.beginCreateOrUpdate(ref, trigger, options), options);
  }
  /** Triggers_Delete (LRO). */
  beginDelete(ref: TriggerRef, options?: Lro<void>): Promise<LroPoller<void>> {
    return this.begin('DELETE', paths.trigger(ref), undefined, options);
  }
  deleteAndWait(ref: TriggerRef, options?: Lro<void>): Promise<void> {
    return this.wait(this.beginDelete(ref, options), options);
  }
}

export class EmailRegistrationsOperations extends Ops {
  /** EmailRegistrations_RegisterEmail: sends an activation code to the caller's email. */
  registerEmail(location: string, options?: OperationOptions): Promise<EmailRegistration> {
    return this.call('POST', paths.locationAction(location, 'registerEmail'), undefined, options);
  }
  /** EmailRegistrations_ActivateEmail */
  activateEmail(location: string, activationCode: string, options?: OperationOptions): Promise<EmailRegistration> {
    return this.call('POST', paths.locationAction(location, 'activateEmail'), { activationCode }, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export class DataShareClient {
  readonly endpoint: string;
  readonly apiVersion: string;
  /** Provider side */
  readonly accounts: AccountsOperations;
  readonly shares: SharesOperations;
  readonly dataSets: DataSetsOperations;
  readonly invitations: InvitationsOperations;
  readonly synchronizationSettings: SynchronizationSettingsOperations;
  readonly providerShareSubscriptions: ProviderShareSubscriptionsOperations;
  /** Consumer side */
  readonly consumerInvitations: ConsumerInvitationsOperations;
  readonly shareSubscriptions: ShareSubscriptionsOperations;
  readonly consumerSourceDataSets: ConsumerSourceDataSetsOperations;
  readonly dataSetMappings: DataSetMappingsOperations;
  readonly triggers: TriggersOperations;
  readonly emailRegistrations: EmailRegistrationsOperations;
  readonly operations: OperationsOperations;
  /** The underlying caller (pipeline, URL building), for advanced use and tests. */
  readonly caller: RestCaller;

  /** Reads this client carried in ARM batches (undefined when it does not batch). */
  get batchStats(): ArmBatchStats | undefined {
    return this.caller.batchStats;
  }

  constructor(credential: TokenCredential, options: DataShareClientOptions = {}) {
    this.caller = new RestCaller({
      ...options,
      endpoint: options.endpoint ?? 'https://management.azure.com',
      credential,
      scopes: options.scopes ?? [ARM_DEFAULT_SCOPE],
      apiVersion: options.apiVersion ?? DATA_SHARE_API_VERSION,
    });
    this.endpoint = this.caller.endpoint;
    this.apiVersion = this.caller.apiVersion;
    this.accounts = new AccountsOperations(this.caller);
    this.shares = new SharesOperations(this.caller);
    this.dataSets = new DataSetsOperations(this.caller);
    this.invitations = new InvitationsOperations(this.caller);
    this.synchronizationSettings = new SynchronizationSettingsOperations(this.caller);
    this.providerShareSubscriptions = new ProviderShareSubscriptionsOperations(this.caller);
    this.consumerInvitations = new ConsumerInvitationsOperations(this.caller);
    this.shareSubscriptions = new ShareSubscriptionsOperations(this.caller);
    this.consumerSourceDataSets = new ConsumerSourceDataSetsOperations(this.caller);
    this.dataSetMappings = new DataSetMappingsOperations(this.caller);
    this.triggers = new TriggersOperations(this.caller);
    this.emailRegistrations = new EmailRegistrationsOperations(this.caller);
    this.operations = new OperationsOperations(this.caller);
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
