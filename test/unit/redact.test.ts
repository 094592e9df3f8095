import * as assert from 'assert';
import { redactSecrets } from '../../src/common/redact';

describe('redactSecrets', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJlLXZhbHVl';

  it('removes bearer tokens and bare JWTs', () => {
    const out = redactSecrets(`GET /x Authorization: Bearer ${jwt} then ${jwt}`);
    assert.ok(!out.includes(jwt));
    assert.match(out, /Bearer \*\*\*/);
  });

  it('removes client secrets, passwords and storage keys in JSON and forms', () => {
    const out = redactSecrets('{"clientSecret":"s3cr3t-value","password":"hunter2"} client_secret=abc123&scope=x AccountKey=Zm9vYmFy;EndpointSuffix=core');
    for (const secret of ['s3cr3t-value', 'hunter2', 'abc123', 'Zm9vYmFy']) assert.ok(!out.includes(secret), `${secret} removed: ${out}`);
    assert.match(out, /scope=x/, 'keeps what is not secret');
  });

  it('removes SAS signatures but keeps the rest of the URL', () => {
    const out = redactSecrets('https://acct.blob.core.windows.net/c/f?sv=2025-01-01&sig=AbCdEf%2B123&se=2026');
    assert.ok(!out.includes('AbCdEf'));
    assert.match(out, /sv=2025-01-01/);
  });

  it('leaves ordinary text alone', () => {
    const text = 'Created share "sales" in account contoso-share (West Europe).';
    assert.strictEqual(redactSecrets(text), text);
  });
});
