/**
 * Microsoft Entra directory roles (for delegated callers) and Microsoft Graph application
 * permissions (for service principals), as the sandbox's Graph subset enforces them.
 *
 * Collections:
 *  - `directoryRoleAssignments`  `{principalId}/{roleTemplateId}` -> DirectoryRoleAssignment
 *  - `graphAppPermissions`       `{servicePrincipalId}/{permission}` -> GraphAppPermissionGrant
 *
 * Both are checked at request time (a grant applies to the next call, no new token needed).
 */
import type { Store } from './contract';

/** Built-in directory roles the Graph subset knows, by their (global) role template ids. */
export const DIRECTORY_ROLES = {
  globalAdministrator: { id: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator' },
  userAdministrator: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator' },
  guestInviter: { id: '95e79109-95c0-4d8e-aee3-d01accf2d47b', displayName: 'Guest Inviter' },
  securityAdministrator: { id: '194ae4cb-b126-40b2-bd5b-6091b380977d', displayName: 'Security Administrator' },
  securityReader: { id: '5d6b6bb7-de71-4623-b4af-96380a352509', displayName: 'Security Reader' },
  globalReader: { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader' },
} as const;

export type DirectoryRoleKey = keyof typeof DIRECTORY_ROLES;

/** Microsoft Graph application permissions (app roles) the Graph subset checks. */
export const GRAPH_APP_PERMISSIONS = [
  'User.Invite.All',
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Policy.Read.All',
  'Policy.ReadWrite.CrossTenantAccess',
] as const;

export type GraphAppPermission = (typeof GRAPH_APP_PERMISSIONS)[number];

export interface DirectoryRoleAssignment {
  tenantId: string;
  principalId: string;
  roleTemplateId: string;
  roleDisplayName: string;
}

export interface GraphAppPermissionGrant {
  tenantId: string;
  servicePrincipalId: string;
  permission: GraphAppPermission;
}

const ROLE_ASSIGNMENTS = 'directoryRoleAssignments';
const APP_PERMISSIONS = 'graphAppPermissions';

export function assignDirectoryRole(store: Store, tenantId: string, principalId: string, role: DirectoryRoleKey): void {
  const r = DIRECTORY_ROLES[role];
  store.put<DirectoryRoleAssignment>(ROLE_ASSIGNMENTS, `${principalId}/${r.id}`, { tenantId, principalId, roleTemplateId: r.id, roleDisplayName: r.displayName });
}

export function grantAppPermission(store: Store, tenantId: string, servicePrincipalId: string, permission: GraphAppPermission): void {
  store.put<GraphAppPermissionGrant>(APP_PERMISSIONS, `${servicePrincipalId}/${permission}`, { tenantId, servicePrincipalId, permission });
}

/** Directory roles a principal holds in its tenant. */
export function directoryRolesOf(store: Store, principalId: string): DirectoryRoleAssignment[] {
  return store.list<DirectoryRoleAssignment>(ROLE_ASSIGNMENTS, `${principalId}/`);
}

/** Graph application permissions granted to a service principal. */
export function appPermissionsOf(store: Store, servicePrincipalId: string): GraphAppPermission[] {
  return store.list<GraphAppPermissionGrant>(APP_PERMISSIONS, `${servicePrincipalId}/`).map((g) => g.permission);
}

/** Drops every role and permission of a principal (when it is deleted). */
export function forgetPrincipal(store: Store, principalId: string): void {
  for (const a of directoryRolesOf(store, principalId)) {
    store.delete(ROLE_ASSIGNMENTS, `${principalId}/${a.roleTemplateId}`);
  }
  for (const p of appPermissionsOf(store, principalId)) {
    store.delete(APP_PERMISSIONS, `${principalId}/${p}`);
  }
}

/** What an operation requires: any one of the roles (delegated) or any one of the permissions (app-only). */
export interface GraphRequirement {
  roles: DirectoryRoleKey[];
  permissions: GraphAppPermission[];
}

/** The Graph operations the sandbox serves and what each needs (least-privileged first). */
export const GRAPH_REQUIREMENTS = {
  inviteGuest: { roles: ['guestInviter', 'userAdministrator', 'globalAdministrator'], permissions: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'] },
  /** Members of a tenant may read its users; apps need a read permission. */
  readUsers: { roles: [], permissions: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] },
  deleteUser: { roles: ['userAdministrator', 'globalAdministrator'], permissions: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] },
  readCrossTenantPolicy: {
    roles: ['securityAdministrator', 'securityReader', 'globalReader', 'globalAdministrator'],
    permissions: ['Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'],
  },
  writeCrossTenantPolicy: { roles: ['securityAdministrator', 'globalAdministrator'], permissions: ['Policy.ReadWrite.CrossTenantAccess'] },
} as const satisfies Record<string, GraphRequirement>;

export type GraphOperation = keyof typeof GRAPH_REQUIREMENTS;

/**
 * True when the caller may perform the operation: a user (delegated) needs one of the roles (an
 * empty role list means any member), an app one of the permissions.
 */
export function isPermitted(store: Store, caller: { objectId: string; kind: string }, operation: GraphOperation): boolean {
  const req: GraphRequirement = GRAPH_REQUIREMENTS[operation];
  if (caller.kind === 'User') {
    if (req.roles.length === 0) return true;
    const held = new Set(directoryRolesOf(store, caller.objectId).map((a) => a.roleTemplateId.toLowerCase()));
    return req.roles.some((r) => held.has(DIRECTORY_ROLES[r].id));
  }
  const granted = new Set(appPermissionsOf(store, caller.objectId).map((p) => p.toLowerCase()));
  return req.permissions.some((p) => granted.has(p.toLowerCase()));
}
