/** Key Vault's built-in RBAC roles (Azure's definitions, data actions included); part of the sandbox's BUILT_IN_ROLES. */
import type { RoleDefinition } from './rbac';

export const KV_ROLES = {
  administrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  cryptoOfficer: '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
  cryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424',
  cryptoServiceEncryptionUser: 'e147488a-f6f5-4113-8e2d-b22465e65bf6',
  reader: '21090545-7ca7-4776-b22c-e363652d74d2',
} as const;

/** Key Vault's built-in roles (Azure's definitions, data actions included). */
export const KEY_VAULT_ROLES: RoleDefinition[] = [
  {
    guid: KV_ROLES.administrator,
    roleName: 'Key Vault Administrator',
    description: 'Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments.',
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/*'],
    notDataActions: [],
  },
  {
    guid: KV_ROLES.cryptoOfficer,
    roleName: 'Key Vault Crypto Officer',
    description: 'Perform any action on the keys of a key vault, except manage permissions.',
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/keys/*', 'Microsoft.KeyVault/vaults/keyrotationpolicies/*'],
    notDataActions: [],
  },
  {
    guid: KV_ROLES.cryptoUser,
    roleName: 'Key Vault Crypto User',
    description: 'Perform cryptographic operations using keys.',
    actions: [],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/update/action', 'Microsoft.KeyVault/vaults/keys/backup/action', 'Microsoft.KeyVault/vaults/keys/encrypt/action', 'Microsoft.KeyVault/vaults/keys/decrypt/action', 'Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/unwrap/action', 'Microsoft.KeyVault/vaults/keys/sign/action', 'Microsoft.KeyVault/vaults/keys/verify/action'],
    notDataActions: [],
  },
  {
    guid: KV_ROLES.cryptoServiceEncryptionUser,
    roleName: 'Key Vault Crypto Service Encryption User',
    description: 'Read metadata of keys and perform wrap/unwrap operations.',
    actions: ['Microsoft.EventGrid/eventSubscriptions/write', 'Microsoft.EventGrid/eventSubscriptions/read', 'Microsoft.EventGrid/eventSubscriptions/delete'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/unwrap/action'],
    notDataActions: [],
  },
  {
    guid: KV_ROLES.reader,
    roleName: 'Key Vault Reader',
    description: 'Read metadata of key vaults and its certificates, keys, and secrets.',
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Resources/deployments/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
    notDataActions: [],
  },
];

