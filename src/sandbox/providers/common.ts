/** Helpers shared by the sandbox's own ARM providers. */
import { ArmError, type Principal, type SandboxRequest } from '../core/contract';

/** ARM normalizes locations: `East US` -> `eastus`. */
export function normalizeLocation(location: unknown): string {
  if (typeof location !== 'string' || location.trim() === '') {
    throw new ArmError(400, 'LocationRequired', "The location property is required for this definition. Add e.g. \"location\": \"westeurope\".");
  }
  return location.replace(/\s+/g, '').toLowerCase();
}

export const LOCATIONS: { name: string; displayName: string; regionalDisplayName: string }[] = [
  { name: 'eastus', displayName: 'East US', regionalDisplayName: '(US) East US' },
  { name: 'westus2', displayName: 'West US 2', regionalDisplayName: '(US) West US 2' },
  { name: 'westeurope', displayName: 'West Europe', regionalDisplayName: '(Europe) West Europe' },
  { name: 'northeurope', displayName: 'North Europe', regionalDisplayName: '(Europe) North Europe' },
  { name: 'uksouth', displayName: 'UK South', regionalDisplayName: '(Europe) UK South' },
  { name: 'southeastasia', displayName: 'Southeast Asia', regionalDisplayName: '(Asia Pacific) Southeast Asia' },
];

export function bodyObject(req: SandboxRequest): Record<string, unknown> {
  const body = req.body;
  if (body === undefined || body === null) {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

export function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  const props = body.properties;
  if (props === undefined || props === null) {
    return {};
  }
  if (typeof props !== 'object' || Array.isArray(props)) {
    throw new ArmError(400, 'InvalidRequestContent', "'properties' must be a JSON object.");
  }
  return props as Record<string, unknown>;
}

export function tagsOf(body: Record<string, unknown>): Record<string, string> | undefined {
  const tags = body.tags;
  if (tags === undefined || tags === null) {
    return undefined;
  }
  if (typeof tags !== 'object' || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
    throw new ArmError(400, 'InvalidTag', "'tags' must be an object of string values.");
  }
  return tags as Record<string, string>;
}

/** The principal of an authenticated request (the core guarantees it on non-anonymous routes). */
export function callerOf(req: SandboxRequest): Principal {
  if (!req.principal) {
    throw new ArmError(401, 'AuthenticationFailed', 'This request needs a bearer token.');
  }
  return req.principal;
}

export function isGuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** True for ids of top-level tracked resources (`.../providers/{ns}/{type}/{name}`). */
export function isTopLevelResourceId(id: string): boolean {
  const segs = id.split('/').filter((s) => s.length > 0);
  const p = segs.map((s) => s.toLowerCase()).lastIndexOf('providers');
  return p >= 0 && segs.length - p === 4;
}
