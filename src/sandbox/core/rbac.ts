/**
 * Azure RBAC as the sandbox enforces it: built-in role definitions, role assignments (stored by the
 * Microsoft.Authorization provider in the `roleAssignments` collection keyed by their id, so deleting
 * a scope removes its assignments), and the check ARM makes before every call.
 */
import { ArmError, type Authorization, type Principal, type Store } from './contract';
import { KEY_VAULT_ROLES } from './keyVaultRoles';

export interface RoleDefinition {
  guid: string;
  roleName: string;
  description: string;
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export const ROLE = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
} as const;

export const BUILT_IN_ROLES: RoleDefinition[] = [
  {
    guid: ROLE.owner,
    roleName: 'Owner',
    description: 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    actions: ['*'],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    guid: ROLE.contributor,
    roleName: 'Contributor',
    description: 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
    ],
    dataActions: [],
    notDataActions: [],
  },
  {
    guid: ROLE.reader,
    roleName: 'Reader',
    description: 'View all resources, but does not allow you to make any changes.',
    actions: ['*/read'],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    guid: ROLE.userAccessAdministrator,
    roleName: 'User Access Administrator',
    description: 'Lets you manage user access to Azure resources.',
    actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    guid: ROLE.storageBlobDataReader,
    roleName: 'Storage Blob Data Reader',
    description: 'Allows for read access to Azure Storage blob containers and data',
    actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/read', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
    notActions: [],
    dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
    notDataActions: [],
  },
  {
    guid: ROLE.storageBlobDataContributor,
    roleName: 'Storage Blob Data Contributor',
    description: 'Allows for read, write and delete access to Azure Storage blob containers and data',
    actions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/write',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    notActions: [],
    dataActions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
    ],
    notDataActions: [],
  },
  {
    guid: 'd5a91429-5739-47e2-a06b-3470a27159e7',
    roleName: 'EventGrid Data Sender',
    description: 'Allows send access to event grid events.',
    actions: ['Microsoft.EventGrid/topics/read', 'Microsoft.EventGrid/domains/read', 'Microsoft.EventGrid/partnerNamespaces/read', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
    notActions: [],
    dataActions: ['Microsoft.EventGrid/events/send/action'],
    notDataActions: [],
  },
  ...KEY_VAULT_ROLES,
];

export function builtInRole(guid: string): RoleDefinition | undefined {
  const lower = guid.toLowerCase();
  return BUILT_IN_ROLES.find((r) => r.guid === lower);
}

/** Stored shape of a role assignment (ARM's RoleAssignment, api 2022-04-01). */
export interface RoleAssignmentResource {
  id: string;
  name: string;
  type: 'Microsoft.Authorization/roleAssignments';
  properties: {
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    description?: string | null;
    condition?: string | null;
    conditionVersion?: string | null;
    createdOn: string;
    updatedOn: string;
    createdBy: string | null;
    updatedBy: string | null;
    delegatedManagedIdentityResourceId?: string | null;
  };
}

/** Normalizes a scope: leading `/`, no trailing `/`, no doubled slashes. The root scope is `/`. */
export function normalizeScope(scope: string): string {
  const collapsed = ('/' + scope).replace(/\/{2,}/g, '/').replace(/\/$/, '');
  return collapsed === '' ? '/' : collapsed;
}

/** True when `ancestor` is `scope` itself or one of its parents (case-insensitive, segment-aligned). */
export function scopeContains(ancestor: string, scope: string): boolean {
  const a = normalizeScope(ancestor).toLowerCase();
  const s = normalizeScope(scope).toLowerCase();
  return a === '/' || s === a || s.startsWith(a + '/');
}

/** Compiled action patterns (the built-in roles' handful, checked on every request). */
const actionPatterns = new Map<string, RegExp>();

function actionMatches(pattern: string, action: string): boolean {
  let re = actionPatterns.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('.*') + '$', 'i');
    if (actionPatterns.size < 4096) actionPatterns.set(pattern, re);
  }
  return re.test(action);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function roleAllows(role: RoleDefinition, action: string): boolean {
  return role.actions.some((p) => actionMatches(p, action)) && !role.notActions.some((p) => actionMatches(p, action));
}

export class SandboxAuthorization implements Authorization {
  constructor(private readonly store: Store) {}

  assignments(): RoleAssignmentResource[] {
    return this.store.list<RoleAssignmentResource>('roleAssignments');
  }

  /**
   * The same, parsed once while unchanged and shared (frozen): every request's authorization reads
   * them, and parsing the whole collection each time was a large share of the sandbox's CPU.
   */
  private readOnlyAssignments(): ReadonlyArray<Readonly<RoleAssignmentResource>> {
    return this.store.listReadOnly ? this.store.listReadOnly<RoleAssignmentResource>('roleAssignments') : this.assignments();
  }

  /** Assignments that apply at `scope` (at it or above it). */
  assignmentsFor(principalObjectId: string, scope: string): ReadonlyArray<Readonly<RoleAssignmentResource>> {
    const pid = principalObjectId.toLowerCase();
    return this.readOnlyAssignments().filter((a) => a.properties.principalId.toLowerCase() === pid && scopeContains(a.properties.scope, scope));
  }

  hasRole(principalObjectId: string, scope: string, roleDefinitionGuid: string): boolean {
    const guid = roleDefinitionGuid.toLowerCase();
    return this.assignmentsFor(principalObjectId, scope).some((a) => roleGuidOf(a.properties.roleDefinitionId) === guid);
  }

  /** True when some role the principal holds at `scope` (or above) allows `action`. */
  isAllowed(principalObjectId: string, action: string, scope: string): boolean {
    return this.assignmentsFor(principalObjectId, scope).some((a) => {
      const role = builtInRole(roleGuidOf(a.properties.roleDefinitionId));
      return role !== undefined && roleAllows(role, action);
    });
  }

  /** True when the principal holds any role at or below `scope` (used to decide which subscriptions it can see). */
  hasAnyRoleWithin(principalObjectId: string, scope: string): boolean {
    const pid = principalObjectId.toLowerCase();
    return this.readOnlyAssignments().some((a) => a.properties.principalId.toLowerCase() === pid && (scopeContains(scope, a.properties.scope) || scopeContains(a.properties.scope, scope)));
  }
}

export function roleGuidOf(roleDefinitionId: string): string {
  const parts = roleDefinitionId.split('/');
  return (parts[parts.length - 1] ?? '').toLowerCase();
}

/**
 * The ARM action a request performs and the scope it is checked at, derived from the path the way
 * ARM names operations: `{namespace}/{type}[/{childType}…]/{read|write|delete}` for resources and
 * collections, `{namespace}/{type}/{action}/action` for POST actions.
 */
export function deriveAction(method: string, path: string): { action: string; scope: string } {
  const segs = path.split('/').filter((s) => s.length > 0);
  const verb = method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : method === 'POST' ? 'action' : 'write';
  const lower = segs.map((s) => s.toLowerCase());
  const providersAt = lower.lastIndexOf('providers');
  if (providersAt >= 0 && providersAt + 1 < segs.length) {
    const ns = segs[providersAt + 1];
    const rest = segs.slice(providersAt + 2);
    if (rest.length === 0) {
      // `/subscriptions/{s}/providers/{ns}` (provider registration info)
      return { action: 'Microsoft.Resources/subscriptions/providers/read', scope: '/' + segs.slice(0, providersAt).join('/') };
    }
    const types: string[] = [];
    for (let i = 0; i < rest.length; i += 2) {
      types.push(rest[i]);
    }
    if (rest.length % 2 === 0) {
      // A resource instance: checked at its own id.
      return { action: `${ns}/${types.join('/')}/${verb}`, scope: '/' + segs.join('/') };
    }
    // Odd: a collection (GET) or an action on the parent resource (POST).
    // Provider registration (`/subscriptions/{s}/providers/{ns}/register`) is checked at the subscription.
    const parentScope = rest.length === 1 ? '/' + segs.slice(0, providersAt).join('/') : '/' + segs.slice(0, segs.length - 1).join('/');
    if (verb === 'action') {
      const actionName = types.pop() as string;
      const typePath = types.length > 0 ? `${ns}/${types.join('/')}` : ns;
      return { action: `${typePath}/${actionName}/action`, scope: parentScope };
    }
    return { action: `${ns}/${types.join('/')}/${verb}`, scope: parentScope };
  }
  // Microsoft.Resources paths without `/providers/`: subscriptions, resource groups.
  if (lower[0] === 'subscriptions') {
    if (segs.length <= 2) {
      return { action: `Microsoft.Resources/subscriptions/${verb}`, scope: '/' + segs.slice(0, 2).join('/') };
    }
    if (lower[2] === 'resourcegroups') {
      if (segs.length === 3) {
        return { action: `Microsoft.Resources/subscriptions/resourceGroups/${verb}`, scope: '/' + segs.slice(0, 2).join('/') };
      }
      if (segs.length === 4) {
        return { action: `Microsoft.Resources/subscriptions/resourceGroups/${verb}`, scope: '/' + segs.slice(0, 4).join('/') };
      }
      return { action: `Microsoft.Resources/subscriptions/resourceGroups/${segs.slice(4).join('/')}/${verb}`, scope: '/' + segs.slice(0, 4).join('/') };
    }
    if (lower[2] === 'providers' && segs.length === 3) {
      return { action: 'Microsoft.Resources/subscriptions/providers/read', scope: '/' + segs.slice(0, 2).join('/') };
    }
  }
  return { action: `Microsoft.Resources/${verb}`, scope: '/' + segs.join('/') };
}

/** ARM's 403 for a caller without the permission (same text ARM uses). */
export function authorizationFailed(principal: Principal, action: string, scope: string): ArmError {
  const client = principal.kind === 'User' ? (principal.email ?? principal.name) : (principal.appId ?? principal.objectId);
  return new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${client}' with object id '${principal.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
