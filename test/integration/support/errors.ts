import * as assert from 'node:assert/strict';
import { isAzureRequestError, type AzureRequestError } from '../../../src/azure';

/** The AzureRequestError a call fails with (the test fails if it succeeds or throws anything else). */
export async function rejection(p: Promise<unknown> | (() => Promise<unknown>)): Promise<AzureRequestError> {
  let value: unknown;
  try {
    value = await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(isAzureRequestError(e), `expected an AzureRequestError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected the call to fail; it returned ${JSON.stringify(value)?.slice(0, 400)}`);
}
