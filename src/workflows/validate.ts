/**
 * Input validation with Azure's naming rules, before any call. Each validator returns an error
 * message a person can act on, or undefined when the value is fine (usable as a VS Code InputBox
 * `validateInput` as well as by the workflows).
 */
import { UserFacingError } from './errors';

type Check = (value: string) => string | undefined;

export const rules = {
  resourceGroup: ((v) =>
    !v ? 'A resource group name is required.'
    : v.length > 90 ? `Resource group names are at most 90 characters ('${v}' has ${v.length}).`
    : !/^[-\w._()]+$/u.test(v) ? `Resource group '${v}' may contain only letters, digits, underscores, hyphens, periods and parentheses.`
    : v.endsWith('.') ? `Resource group '${v}' cannot end with a period.`
    : undefined) as Check,
  storageAccount: ((v) =>
    !/^[a-z0-9]{3,24}$/.test(v) ? `Storage account '${v}' is not a valid name: use 3 to 24 lowercase letters and digits (it is global across Azure).` : undefined) as Check,
  container: ((v) =>
    !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(v) ? `Container '${v}' is not a valid name: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.` : undefined) as Check,
  /** Data Share accounts, shares, datasets, invitations, share subscriptions, settings, triggers, mappings. */
  dataShareName: ((v) =>
    !/^[A-Za-z0-9_-]{2,90}$/.test(v) ? `'${v}' is not a valid Data Share name: 2 to 90 letters, digits, underscores and hyphens.` : undefined) as Check,
  dataShareAccount: ((v) =>
    !/^[A-Za-z0-9_-]{3,90}$/.test(v) ? `Data Share account '${v}' is not a valid name: 3 to 90 letters, digits, underscores and hyphens.` : undefined) as Check,
  purviewAccount: ((v) =>
    !/^[a-zA-Z0-9][a-zA-Z0-9-]{1,61}[a-zA-Z0-9]$/.test(v) ? `Purview account '${v}' is not a valid name: 3 to 63 letters, digits and hyphens, starting and ending with a letter or digit.` : undefined) as Check,
  email: ((v) =>
    !/^[^\s@"<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(v) ? `'${v}' is not a valid email address.` : undefined) as Check,
  guid: ((v) =>
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? `'${v}' is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).` : undefined) as Check,
  location: ((v) => (!/^[a-z0-9]{2,40}$/.test(v) ? `'${v}' is not an Azure region name (for example westeurope).` : undefined)) as Check,
  /** `HH:MM` in UTC. */
  timeOfDay: ((v) => (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? `'${v}' is not a time of day: use HH:MM (24-hour, UTC).` : undefined)) as Check,
  /** Key Vault vaults: global DNS names. */
  keyVault: ((v) =>
    !/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(v) ? `Key vault '${v}' is not a valid name: 3 to 24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no consecutive hyphens (it is global across Azure).` : undefined) as Check,
  keyVaultKey: ((v) => (!/^[0-9a-zA-Z-]{1,127}$/.test(v) ? `Key '${v}' is not a valid name: 1 to 127 letters, digits and hyphens.` : undefined)) as Check,
  /** User-assigned managed identities. */
  userAssignedIdentity: ((v) =>
    !/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/.test(v) ? `Managed identity '${v}' is not a valid name: 3 to 128 letters, digits, hyphens and underscores, starting with a letter or digit.` : undefined) as Check,
  blobPath: ((v) =>
    !v || v.length > 1024 || /(^|\/)\.\.?(\/|$)/.test(v) || v.startsWith('/') ? `'${v}' is not a valid blob path (no leading slash, no . or .. segments, at most 1024 characters).` : undefined) as Check,
};

/** An ISO 8601 date in the future (`now` injectable for tests). */
export function futureDate(v: string, now = Date.now()): string | undefined {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) return `'${v}' is not an ISO 8601 date (for example 2027-06-30 or 2027-06-30T00:00:00Z).`;
  if (t <= now) return `${v} is in the past: an expiry must be in the future.`;
  return undefined;
}

/** Collects problems as `field: message` lines; `throwIfAny` raises one UserFacingError listing them all. */
export class Problems {
  readonly list: string[] = [];
  check(field: string, value: unknown, check: Check): void {
    const msg = typeof value === 'string' ? check(value) : `${field} must be a string.`;
    if (msg) this.list.push(`${field}: ${msg}`);
  }
  add(field: string, message: string): void {
    this.list.push(`${field}: ${message}`);
  }
  throwIfAny(what: string): void {
    if (this.list.length) {
      throw new UserFacingError(`${what} is not valid:\n- ${this.list.join('\n- ')}`, 'Correct the values listed and run it again; nothing was changed.');
    }
  }
}
