/**
 * The single lazy entry to src/azure (bundled as dist/azure.js). The extension reaches it only
 * through `await import(...)` on first use; elsewhere use `import type`.
 */
export { AzureClientFactory, AzureClients, createAzureClients, type FactoryOptions } from './factory';
export { AZURE_PUBLIC_CLOUD, blobEndpointFor, loadSandboxCloud, purviewEndpointFor, sandboxCloud, SCOPES, type CloudConfig } from './cloud';
export {
  AzureRequestError,
  createAbortError,
  errorFromResponse,
  isAbortError,
  isAzureRequestError,
  nextStepFor,
  parseErrorBody,
  redactSecrets,
  rethrowAsAzureError,
  toAzureRequestError,
  undefinedIfNotFound,
  type AzureErrorDetail,
  type AzureRequestErrorInit,
  type AzureService,
} from '../common/azureErrors';
export {
  applyPipelinePolicies,
  commonPipelineOptions,
  createRetryPolicy,
  DEFAULT_USER_AGENT,
  defaultSleep,
  type LroSettings,
  type PipelineSettings,
  type RetrySettings,
  type SignalLike,
  type Sleep,
} from './pipeline';
export { collectAll, type Collected, type CollectOptions, type Page, type PagedIterable, type PageSettings } from './core/paging';
export type { LroOptions, LroPoller, LroState, LroStatus, PollOptions } from './core/lro';
export { RestCaller, type RestCallerOptions } from './core/rest';

// Data Share
export {
  DataShareClient,
  DATA_SHARE_API_VERSION,
  type AccountInput,
  type DataShareClientOptions,
  type FilteredListOptions,
  type ListOptions,
  type OperationOptions,
  type SynchronizeOptions,
} from './datashare/client';
export * from './datashare/models';
export { paths as dataSharePaths, parseDataShareId } from './datashare/paths';
export type {
  AccountRef,
  DataSetMappingRef,
  DataSetRef,
  InvitationRef,
  ProviderShareSubscriptionRef,
  ResourceGroupRef,
  ShareRef,
  ShareSubscriptionRef,
  SynchronizationSettingRef,
  TriggerRef,
} from './datashare/paths';

// ARM SDK wrappers and blob
export { ResourcesApi, type RegisterProviderOptions } from './arm/resources';
export { defaultStorageAccountParameters, StorageApi } from './arm/storage';
export { ApprovalChannelApi, connectionIsConnected, LogicApi, withoutQuery, type ApiConnection, type ChannelApproval, type ChannelResponder, type Workflow, type WorkflowRun } from './arm/logic';
export {
  AuthorizationApi,
  BUILT_IN_ROLE_NAMES,
  BUILT_IN_ROLES,
  roleAssignmentName,
  roleDefinitionId,
  roleGuidOf,
  type BuiltInRole,
  type EnsureRoleAssignmentOptions,
  type EnsureRoleAssignmentParams,
  type EnsureRoleAssignmentResult,
} from './arm/authorization';
export { EVENTGRID_ARM_API_VERSION, EVENTGRID_DATA_SENDER_ROLE, EventGridApi, topicId as eventGridTopicId, type EventSchema, type EventSubscription, type Topic as EventGridTopic, type TopicInput, type WebhookSubscriptionInput } from './arm/eventgrid';
export { EVENTGRID_SCOPE, EventGridPublisher, type CloudEventInput } from './eventgrid/publisher';
export { KEY_VAULT_ROLES, KeyVaultApi, updateStorageAccount, type Vault } from './arm/keyvault';
export type { StorageAccount } from './arm/storage';
export { MsiApi, type UserAssignedIdentity } from './arm/msi';
export { KeyVaultKeysApi, type KeyProperties, type KeyVaultKey } from './keyvaultKeys';
export { PURVIEW_ARM_API_VERSION, PurviewApi, type PurviewAccount, type PurviewAccountInput, type PurviewNameAvailability } from './arm/purview';
export type { ArmSettings } from './arm/common';
// Purview data plane (Data Map, scanning, collections)
export * from './purview/index';
export { BlobApi, type BlobItemInfo, type BlobOptions, type BlobSettings } from './blob';
// Microsoft Graph (B2B guests, cross-tenant access partners)
export {
  GRAPH_PUBLIC_ENDPOINT,
  GraphApi,
  graphPermissionStep,
  odataString,
  type CrossTenantAccessB2BSetting,
  type CrossTenantAccessPartner,
  type CrossTenantAccessPartnerPatch,
  type CrossTenantAccessTarget,
  type CrossTenantAccessTargetConfiguration,
  type DirectoryRoleInfo,
  type GraphClientOptions,
  type GraphInvitation,
  type GraphOperationKind,
  type GraphOperationOptions,
  type GraphUser,
} from './graph';
export { PRODUCT_NAME, PRODUCT_VERSION } from '../common/version';

// Auth helpers
export * from '../auth/index';
export { allowArmBatching, armBatchStats, Http2HttpClient, sharedHttpClient } from './http2Client';
export { ArmBatchingHttpClient, ARM_BATCH_MAX, isBatchPath, isListAction, parsedBodyOf } from './armBatch';
