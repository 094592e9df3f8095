/** The plan's `cmk` per tenant: Azure's naming rules for vault, key and identity, key sizes, every problem at once. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPlan, type RecipePlan } from '../../src/workflows/plan';
import { rules } from '../../src/workflows/validate';

const EXAMPLE = path.resolve(__dirname, '..', '..', '..', 'examples', 'sandbox.recipe.json');

function plan(): RecipePlan & Record<string, unknown> {
  const p = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as RecipePlan & Record<string, unknown>;
  delete p.$schema;
  return p;
}

describe('plan: customer-managed keys', () => {
  it('accepts a cmk per tenant', () => {
    const p = plan();
    p.provider.cmk = { keyVault: 'kv-contoso-1', keyName: 'storage-key', identity: 'id-contoso_storage' };
    p.consumer.cmk = { keyVault: 'kv-fabrikam-1', keyName: 'landing', identity: 'id-fabrikam', keySize: 4096 };
    assert.deepEqual(checkPlan(p).consumer.cmk?.keySize, 4096);
  });

  it('lists every problem at once: vault, key and identity names, key size, unknown keys, the same vault twice', () => {
    const p = plan() as unknown as Record<string, Record<string, unknown>>;
    p.provider.cmk = { keyVault: '9vault', keyName: 'bad_key', identity: '-id', keySize: 1024, extra: true };
    p.consumer.cmk = { keyVault: '9VAULT', keyName: 'k', identity: 'ok-id' };
    assert.throws(() => checkPlan(p), (e: Error) => {
      for (const needle of [
        "provider.cmk.keyVault: Key vault '9vault' is not a valid name",
        "provider.cmk.keyName: Key 'bad_key' is not a valid name",
        "provider.cmk.identity: Managed identity '-id' is not a valid name",
        'provider.cmk.keySize: must be 2048, 3072 or 4096',
        'provider.cmk.extra: is not a known property.',
        'consumer.cmk.keyVault: must differ from provider.cmk.keyVault',
      ]) assert.ok(e.message.includes(needle), `missing: ${needle}\n${e.message}`);
      return true;
    });
  });

  it("vault names follow Key Vault's rules", () => {
    for (const ok of ['abc', 'kv-contoso-1', 'A1234567890123456789012b']) assert.equal(rules.keyVault(ok), undefined, ok);
    for (const bad of ['ab', 'a--b', '1abc', 'abc-', 'a'.repeat(25), 'kv_underscore']) assert.ok(rules.keyVault(bad), bad);
  });
});
