/**
 * Per-tenant credential sources. Runtime-light (SDKs load on the first token request), but a
 * bundler follows the dynamic imports: src/ui should import `./bridge` statically and get the
 * rest through the lazy src/azure entry.
 */
export { credentialFromGetToken, jwtExpiry, type GetTokenFunction, type GetTokenResult } from './bridge';
export {
  azureCliCredential,
  clientSecretCredential,
  DEFAULT_PUBLIC_CLIENT_ID,
  environmentCredential,
  lazyCredential,
  PasswordGrantCredential,
  type AccessToken,
  type GetTokenOptions,
  type IdentityCommonOptions,
  type PasswordCredentialOptions,
  type TokenCredential,
} from './credentials';
export {
  loadSandboxDescription,
  readSandboxCa,
  sandboxCredentials,
  sandboxTenant,
  type SandboxCredentialOptions,
  type SandboxDescription,
  type SandboxServicePrincipal,
  type SandboxSubscription,
  type SandboxTenant,
  type SandboxUser,
} from './sandbox';
export {
  audienceOf,
  tenantOfScopes,
  VSCODE_ARM_SCOPE,
  vscodeSessionScopes,
  credentialFor,
  isNotSignedInError,
  NotSignedInError,
  type Audience,
  type AuthAccount,
  type TokenRequest,
  type TokenSource,
} from './tokenSource';
export {
  discoverTenants,
  EMPTY_FILTER,
  filterFromSelection,
  filterSubscriptions,
  isTenantShown,
  mergeTenants,
  parseFilter,
  type AccountProblem,
  type Discovery,
  type SubscriptionInfo,
  type TenantDirectory,
  type TenantFilter,
  type TenantInfo,
  type TenantState,
  type TenantStatus,
} from './tenants';
export { ARM_SCOPE, ArmTenantDirectory, IdentityTokenSource, sandboxAccounts, sandboxDirectory, SandboxTokenSource, type ArmDirectoryOptions, type IdentityKind } from './directories';
