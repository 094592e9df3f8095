/**
 * A replay target built from a sandbox description (sandbox.json shape): tokens from the sandbox
 * authority for each tenant, with the tenant's first user (password grant, like a person signed in)
 * or, when it has none, its first service principal (client credentials).
 */
import { httpRequest } from './http';
import type { ReplayTarget } from './replay';

export interface TargetDescription {
  armEndpoint: string;
  authorityHost: string;
  tenants: {
    tenantId: string;
    displayName: string;
    domain?: string;
    subscriptions: { subscriptionId: string }[];
    users: { email: string; objectId: string; password: string }[];
    servicePrincipals: { clientId: string; secret: string; objectId: string }[];
  }[];
}

export const ARM_AUDIENCE = 'https://management.azure.com';

export function sandboxTarget(description: TargetDescription, ca: string | Buffer): ReplayTarget & { description: TargetDescription } {
  const cache = new Map<string, { token: string; expires: number }>();
  return {
    armEndpoint: description.armEndpoint,
    ca,
    description,
    async getToken(tenantId: string, audience = ARM_AUDIENCE): Promise<string> {
      const key = `${tenantId}|${audience}`;
      const hit = cache.get(key);
      if (hit && hit.expires > Date.now() + 60_000) return hit.token;
      const tenant = description.tenants.find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase());
      if (!tenant) throw new Error(`the target has no tenant ${tenantId}`);
      const scope = `${audience.replace(/\/+$/, '')}/.default`;
      const user = tenant.users[0];
      const sp = tenant.servicePrincipals[0];
      const form: Record<string, string> = user
        ? { grant_type: 'password', username: user.email, password: user.password, scope, client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' }
        : { grant_type: 'client_credentials', client_id: sp.clientId, client_secret: sp.secret, scope };
      const res = await httpRequest(`${description.authorityHost.replace(/\/+$/, '')}/${tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', form, ca });
      const body = res.body as { access_token?: string; expires_in?: number; error_description?: string } | undefined;
      if (res.status !== 200 || !body?.access_token) throw new Error(`token for tenant ${tenant.displayName} failed: ${res.status} ${body?.error_description ?? res.text}`);
      cache.set(key, { token: body.access_token, expires: Date.now() + (body.expires_in ?? 3600) * 1000 });
      return body.access_token;
    },
  };
}
