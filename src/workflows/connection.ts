/**
 * What the extension is connected to: the local sandbox (described by its sandbox.json) for now;
 * Azure sign-in through VS Code accounts arrives with the tenant work. Plain Node, testable.
 */
import { UserFacingError } from './errors';

export interface TenantSummary {
  tenantId: string;
  displayName: string;
  domain: string;
  subscriptions: { subscriptionId: string; displayName: string }[];
}

export interface SandboxConnectionInfo {
  kind: 'sandbox';
  descriptionPath: string;
  armEndpoint: string;
  tenants: TenantSummary[];
}

/**
 * Validates the parts of a sandbox.json the extension relies on, with a message that says what
 * is wrong and how to get a good file. Never echoes secrets from the file.
 */
export function parseSandboxDescription(text: string, descriptionPath: string): SandboxConnectionInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserFacingError(`${descriptionPath} is not valid JSON.`, 'Start the sandbox again with `npm run sandbox`; it rewrites the file.');
  }
  const obj = json as { armEndpoint?: unknown; tenants?: unknown };
  if (typeof obj.armEndpoint !== 'string' || !/^https:\/\//.test(obj.armEndpoint) || !Array.isArray(obj.tenants)) {
    throw new UserFacingError(`${descriptionPath} does not describe a sandbox (it needs an https armEndpoint and a tenants list).`, 'Choose the sandbox.json in the sandbox data folder (default .sandbox/sandbox.json).');
  }
  const tenants: TenantSummary[] = obj.tenants.map((t: Record<string, unknown>, i: number) => {
    if (typeof t?.tenantId !== 'string') {
      throw new UserFacingError(`Tenant ${i + 1} in ${descriptionPath} has no tenantId.`, 'Start the sandbox again with `npm run sandbox` to regenerate the file.');
    }
    const subs = Array.isArray(t.subscriptions) ? (t.subscriptions as Record<string, unknown>[]) : [];
    return {
      tenantId: t.tenantId,
      displayName: typeof t.displayName === 'string' ? t.displayName : t.tenantId,
      domain: typeof t.domain === 'string' ? t.domain : '',
      subscriptions: subs.filter((s) => typeof s?.subscriptionId === 'string').map((s) => ({
        subscriptionId: s.subscriptionId as string,
        displayName: typeof s.displayName === 'string' ? s.displayName : (s.subscriptionId as string),
      })),
    };
  });
  return { kind: 'sandbox', descriptionPath, armEndpoint: obj.armEndpoint, tenants };
}
