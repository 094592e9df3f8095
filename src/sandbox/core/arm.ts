/** Small ARM conventions shared by every sandbox resource provider. */
import { ArmError, type Page, type Principal, type SandboxRequest } from './contract';

export const DEFAULT_PAGE_SIZE = 50;

/**
 * One page of `items` as ARM pages lists: `$skipToken` in the query selects the offset and
 * `nextLink` is the absolute URL of the next page (same path and query, new `$skipToken`).
 */
export function paginate<T>(req: SandboxRequest, items: T[], pageSize = DEFAULT_PAGE_SIZE): Page<T> {
  const token = req.query.get('$skipToken');
  let offset = 0;
  if (token) {
    offset = Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ArmError(400, 'InvalidSkipToken', `The $skipToken '${token}' is not valid. Start the listing again without it.`);
    }
  }
  const value = items.slice(offset, offset + pageSize);
  const page: Page<T> = { value };
  if (offset + pageSize < items.length) {
    const next = new URLSearchParams(req.query);
    next.set('$skipToken', Buffer.from(String(offset + pageSize), 'utf8').toString('base64url'));
    page.nextLink = `${req.baseUrl}${req.path}?${next.toString()}`;
  }
  return page;
}

/** ARM `systemData` for a resource created or modified by `principal` at `at`. */
export function systemData(principal: Principal | undefined, createdAt: Date, modifiedAt: Date = createdAt, createdBy?: { name: string; type: string }) {
  const type = principal?.kind === 'User' ? 'User' : principal?.kind === 'ManagedIdentity' ? 'ManagedIdentity' : 'Application';
  const by = principal ? (principal.email ?? principal.name) : 'sandbox';
  return {
    createdAt: createdAt.toISOString(),
    createdBy: createdBy?.name ?? by,
    createdByType: createdBy?.type ?? type,
    lastModifiedAt: modifiedAt.toISOString(),
    lastModifiedBy: by,
    lastModifiedByType: type,
  };
}

/** Reads a required property of a JSON body, or answers 400 as ARM does. */
export function requireProperty<T>(obj: Record<string, unknown> | undefined, name: string, where = 'properties'): T {
  const value = obj?.[name];
  if (value === undefined || value === null || value === '') {
    throw new ArmError(400, 'InvalidRequestContent', `The request content is missing the required property '${where}.${name}'.`, `${where}.${name}`);
  }
  return value as T;
}

/** 404 with ARM's code for a missing resource. */
export function notFound(type: string, name: string): ArmError {
  return new ArmError(404, 'ResourceNotFound', `The Resource '${type}/${name}' was not found. Check the name and resource group, or create it first.`);
}
