/**
 * Error shapes of the Purview data plane. Atlas (data map) answers `{requestId, errorCode,
 * errorMessage}` with Apache Atlas codes; scanning and the account (collections) plane answer
 * `{error:{code, message}}`, which is what the core renders for an ArmError.
 */
import * as crypto from 'node:crypto';
import type { SandboxResponse } from '../../core/contract';

export class AtlasError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'AtlasError';
  }
}

export function atlasResponse(err: AtlasError): SandboxResponse {
  return { status: err.status, body: { requestId: crypto.randomUUID(), errorCode: err.errorCode, errorMessage: err.message } };
}

/** ATLAS-404-00-005 */
export function guidNotFound(guid: string): AtlasError {
  return new AtlasError(404, 'ATLAS-404-00-005', `Given instance guid ${guid} is invalid/not found`);
}

/** ATLAS-404-00-001 */
export function typeNotFound(name: string): AtlasError {
  return new AtlasError(404, 'ATLAS-404-00-001', `Given typename ${name} was invalid`);
}

/** ATLAS-404-00-002 */
export function typeGuidNotFound(guid: string): AtlasError {
  return new AtlasError(404, 'ATLAS-404-00-002', `Given type guid ${guid} was invalid`);
}

/** ATLAS-404-00-009 */
export function uniqueNotFound(typeName: string, qualifiedName: string): AtlasError {
  return new AtlasError(404, 'ATLAS-404-00-009', `Instance ${typeName} with unique attribute {qualifiedName=${qualifiedName}} does not exist`);
}

/** ATLAS-404-00-00A */
export function referencedNotFound(ref: string): AtlasError {
  return new AtlasError(404, 'ATLAS-404-00-00A', `Referenced entity ${ref} is not found. Create it first, or include it in the same request.`);
}

/** ATLAS-404-00-00C */
export function relationshipNotFound(guid: string): AtlasError {
  return new AtlasError(404, 'ATLAS-404-00-00C', `Given relationship guid ${guid} is invalid/not found`);
}

/** ATLAS-400-00-01A */
export function invalidParams(message: string): AtlasError {
  return new AtlasError(400, 'ATLAS-400-00-01A', `invalid parameters: ${message}`);
}

/** ATLAS-409-00-001 */
export function typeExists(name: string): AtlasError {
  return new AtlasError(409, 'ATLAS-409-00-001', `Given type ${name} already exists`);
}

/** ATLAS-409-00-002 */
export function typeHasReferences(name: string, why: string): AtlasError {
  return new AtlasError(409, 'ATLAS-409-00-002', `Given type ${name} has references (${why})`);
}
