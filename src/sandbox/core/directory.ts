/**
 * The sandbox's Microsoft Entra stand-in: tenants, users, service principals, managed identities
 * and their credentials, all persisted in the store.
 *
 * Collections:
 *  - `tenants`            tenantId -> Tenant
 *  - `subscriptions`      subscriptionId -> SubscriptionRecord
 *  - `directoryObjects`   objectId -> DirectoryObject (users, B2B guests and service principals)
 *  - `credentials`        objectId -> { secret } (client secret or user password)
 *  - `managedIdentities`  `{resourceId}/identity` -> DirectoryObject (so deleting the resource tree removes it)
 */
import * as crypto from 'node:crypto';
import type { Directory, DirectoryObject, Store, Tenant } from './contract';

export interface SubscriptionRecord {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: 'Enabled';
}

export interface CredentialRecord {
  secret: string;
}

export class SandboxDirectory implements Directory {
  /** objectId (lower) -> store key of a managed identity; rebuilt lazily. */
  private miIndex: Map<string, string> | undefined;

  constructor(private readonly store: Store) {}

  tenants(): Tenant[] {
    return this.store.list<Tenant>('tenants');
  }

  tenant(tenantIdOrDomain: string): Tenant | undefined {
    const direct = this.store.get<Tenant>('tenants', tenantIdOrDomain);
    if (direct) {
      return direct;
    }
    const lower = tenantIdOrDomain.toLowerCase();
    return this.tenants().find((t) => t.domain.toLowerCase() === lower);
  }

  subscriptions(tenantId?: string): SubscriptionRecord[] {
    const all = this.store.list<SubscriptionRecord>('subscriptions');
    return tenantId ? all.filter((s) => s.tenantId.toLowerCase() === tenantId.toLowerCase()) : all;
  }

  subscription(subscriptionId: string): SubscriptionRecord | undefined {
    return this.store.get<SubscriptionRecord>('subscriptions', subscriptionId);
  }

  object(objectId: string): DirectoryObject | undefined {
    const direct = this.store.get<DirectoryObject>('directoryObjects', objectId);
    if (direct) {
      return direct;
    }
    const key = this.managedIdentityIndex().get(objectId.toLowerCase());
    if (!key) {
      return undefined;
    }
    const mi = this.store.get<DirectoryObject>('managedIdentities', key);
    if (!mi) {
      this.managedIdentityIndex().delete(objectId.toLowerCase()); // removed with its resource
    }
    return mi;
  }

  objects(tenantId?: string): DirectoryObject[] {
    const all = [...this.store.list<DirectoryObject>('directoryObjects'), ...this.store.list<DirectoryObject>('managedIdentities')];
    return tenantId ? all.filter((o) => o.tenantId.toLowerCase() === tenantId.toLowerCase()) : all;
  }

  usersByEmail(email: string): DirectoryObject[] {
    const lower = email.toLowerCase();
    return this.store.list<DirectoryObject>('directoryObjects').filter((o) => o.kind === 'User' && o.userType !== 'Guest' && o.email?.toLowerCase() === lower);
  }

  /** B2B guests of a tenant whose mail (case-insensitive) matches. */
  guestsByEmail(tenantId: string, email: string): DirectoryObject[] {
    const lower = email.toLowerCase();
    const tid = tenantId.toLowerCase();
    return this.store
      .list<DirectoryObject>('directoryObjects')
      .filter((o) => o.kind === 'User' && o.userType === 'Guest' && o.tenantId.toLowerCase() === tid && o.email?.toLowerCase() === lower);
  }

  /** Removes a user or service principal and its credential (managed identities go with their resource). */
  deleteObject(objectId: string): boolean {
    this.store.delete('credentials', objectId);
    return this.store.delete('directoryObjects', objectId);
  }

  /** A service principal by application (client) id within a tenant. */
  servicePrincipalByAppId(tenantId: string, appId: string): DirectoryObject | undefined {
    const lower = appId.toLowerCase();
    return this.store
      .list<DirectoryObject>('directoryObjects')
      .find((o) => o.kind === 'ServicePrincipal' && o.appId?.toLowerCase() === lower && o.tenantId.toLowerCase() === tenantId.toLowerCase());
  }

  credential(objectId: string): CredentialRecord | undefined {
    return this.store.get<CredentialRecord>('credentials', objectId);
  }

  ensureManagedIdentity(tenantId: string, resourceId: string, displayName: string): DirectoryObject {
    const key = `${resourceId}/identity`;
    const existing = this.store.get<DirectoryObject>('managedIdentities', key);
    if (existing) {
      return existing;
    }
    const mi: DirectoryObject = {
      objectId: crypto.randomUUID(),
      tenantId,
      kind: 'ManagedIdentity',
      displayName,
      appId: crypto.randomUUID(),
      resourceId,
    };
    this.store.put('managedIdentities', key, mi);
    this.managedIdentityIndex().set(mi.objectId.toLowerCase(), key.toLowerCase());
    return mi;
  }

  deleteManagedIdentity(resourceId: string): void {
    const key = `${resourceId}/identity`;
    const existing = this.store.get<DirectoryObject>('managedIdentities', key);
    if (existing) {
      this.store.delete('managedIdentities', key);
      this.managedIdentityIndex().delete(existing.objectId.toLowerCase());
    }
  }

  // ---- seeding --------------------------------------------------------------------------------

  addTenant(tenant: Tenant): void {
    this.store.put('tenants', tenant.tenantId, tenant);
  }

  addSubscription(sub: SubscriptionRecord): void {
    this.store.put('subscriptions', sub.subscriptionId, sub);
  }

  addObject(obj: DirectoryObject, secret?: string): void {
    this.store.put('directoryObjects', obj.objectId, obj);
    if (secret !== undefined) {
      this.store.put<CredentialRecord>('credentials', obj.objectId, { secret });
    }
  }

  private managedIdentityIndex(): Map<string, string> {
    if (!this.miIndex) {
      this.miIndex = new Map();
      const keys = (this.store as unknown as { keys?: (c: string) => string[] }).keys?.('managedIdentities') ?? [];
      for (const key of keys) {
        const mi = this.store.get<DirectoryObject>('managedIdentities', key);
        if (mi) {
          this.miIndex.set(mi.objectId.toLowerCase(), key);
        }
      }
    }
    return this.miIndex;
  }
}

/** Constant-time comparison of two secrets. */
export function secretsEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}
