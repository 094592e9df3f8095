import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';
import { execFileSync } from 'child_process';
import { credentialFromGetToken, jwtExpiry } from '../../src/auth/bridge';
import { lazyCredential, PasswordGrantCredential } from '../../src/auth/credentials';
import { loadSandboxDescription, sandboxCredentials, type SandboxDescription } from '../../src/auth/sandbox';
import { AzureRequestError } from '../../src/common/azureErrors';
import type { SandboxDescription as WrittenBySandbox } from '../../src/sandbox';

// Compile-time contract check: what src/sandbox writes to sandbox.json is what src/auth reads.
export const sandboxJsonContract: (written: WrittenBySandbox) => SandboxDescription = (written) => written;
import { FakeHttpClient } from './support/azureFakes';

function jwt(payload: Record<string, unknown>): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64(payload)}.sig`;
}

const description: SandboxDescription = {
  armEndpoint: 'https://127.0.0.1:8443',
  caCertPath: '/nonexistent/ca.pem',
  authorityHost: 'https://127.0.0.1:8443',
  tenants: [
    {
      tenantId: '11111111-1111-1111-1111-111111111111',
      displayName: 'Contoso (provider)',
      domain: 'contoso.test',
      subscriptions: [{ subscriptionId: 'sub-p', displayName: 'Provider sub' }],
      users: [
        { email: 'ada@contoso.test', objectId: 'u1', password: 'pw-ada-123' },
        { email: 'bob@contoso.test', objectId: 'u2', password: 'pw-bob-456' },
      ],
      servicePrincipals: [{ displayName: 'ci', clientId: 'app-1', secret: 'sp-secret', objectId: 'sp1' }],
    },
  ],
};

describe('auth: credential sources', () => {
  it('credentialFromGetToken adapts strings (JWT exp) and AccessTokens, and reports missing tokens', async () => {
    const exp = Math.floor(Date.now() / 1000) + 1800;
    const asString = credentialFromGetToken(async (scopes) => (scopes[0] === 'a/.default' ? jwt({ exp }) : null));
    const t = await asString.getToken('a/.default');
    assert.strictEqual(t?.expiresOnTimestamp, exp * 1000);
    await assert.rejects(Promise.resolve(asString.getToken('b/.default')), (e: unknown) => e instanceof AzureRequestError && e.code === 'CredentialUnavailable');

    const full = credentialFromGetToken(async () => ({ token: 'opaque', expiresOnTimestamp: 42 }));
    assert.deepStrictEqual(await full.getToken(['x']), { token: 'opaque', expiresOnTimestamp: 42 });
    const opaque = await credentialFromGetToken(async () => 'not-a-jwt').getToken('x');
    assert.ok(opaque && opaque.expiresOnTimestamp > Date.now() && opaque.expiresOnTimestamp <= Date.now() + 5 * 60_000);
    assert.strictEqual(jwtExpiry('a.b'), undefined);
  });

  it('lazyCredential creates its inner credential once, on first use', async () => {
    let created = 0;
    const c = lazyCredential(async () => {
      created++;
      return { getToken: async () => ({ token: 't', expiresOnTimestamp: 1 }) };
    });
    assert.strictEqual(created, 0);
    await c.getToken('s');
    await c.getToken('s');
    assert.strictEqual(created, 1);
  });

  it('PasswordGrantCredential posts the password grant form, caches tokens, and maps errors without the password', async () => {
    const http = new FakeHttpClient();
    http.enqueue({ status: 200, body: { token_type: 'Bearer', access_token: 'tok-1', expires_in: 3600 } });
    const cred = new PasswordGrantCredential({
      authorityHost: 'https://127.0.0.1:8443/',
      tenantId: 'tenant-1',
      username: 'ada@contoso.test',
      password: 'pw-ada-123',
      httpClient: http,
      caPem: async () => 'SANDBOX-CA-PEM',
    });
    const [a, b] = await Promise.all([cred.getToken('https://management.azure.com/.default'), cred.getToken(['https://management.azure.com/.default'])]);
    assert.strictEqual(a.token, 'tok-1');
    assert.strictEqual(b.token, 'tok-1');
    await cred.getToken('https://management.azure.com/.default');
    assert.strictEqual(http.requests.length, 1, 'one request for concurrent and cached calls');
    const req = http.requests[0]!;
    assert.strictEqual(req.method, 'POST');
    assert.strictEqual(req.url, 'https://127.0.0.1:8443/tenant-1/oauth2/v2.0/token');
    const form = new URLSearchParams(req.bodyText);
    assert.strictEqual(form.get('grant_type'), 'password');
    assert.strictEqual(form.get('username'), 'ada@contoso.test');
    assert.strictEqual(form.get('password'), 'pw-ada-123');
    assert.strictEqual(form.get('scope'), 'https://management.azure.com/.default');
    assert.ok(form.get('client_id'));
    assert.strictEqual(req.tlsCa, 'SANDBOX-CA-PEM', 'trusts the sandbox CA');

    const bad = new FakeHttpClient();
    bad.enqueue({ status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS50126: Invalid username or password (pw-ada-123 rejected).' } });
    const badCred = new PasswordGrantCredential({ authorityHost: 'https://h', tenantId: 't', username: 'u', password: 'pw-ada-123', httpClient: bad });
    const err = await badCred.getToken('s').catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.code, 'invalid_grant');
    assert.match(err.nextStep, /password is wrong/);
    assert.ok(!inspect(err, { depth: 5 }).includes('client_secret'), 'no request body in the error');
  });

  it('sandboxCredentials picks the tenant identity and refuses unknown tenants', async () => {
    const user = sandboxCredentials(description, 'contoso.test', 'user', { identity: 'BOB@contoso.test', caPem: 'PEM' });
    assert.ok(user instanceof PasswordGrantCredential);
    assert.throws(() => sandboxCredentials(description, 'nope'), /no tenant nope/);
    assert.throws(() => sandboxCredentials(description, description.tenants[0]!.tenantId, 'servicePrincipal', { identity: 'ghost' }), /no service principal ghost/);
    const sp = sandboxCredentials(description, description.tenants[0]!.tenantId);
    assert.strictEqual(typeof sp.getToken, 'function');
  });

  it('auth and errors modules load no Azure SDK at import time', () => {
    const out = path.resolve(__dirname, '..', '..', 'src');
    const script = `
      require(${JSON.stringify(path.join(out, 'auth', 'index.js'))});
      require(${JSON.stringify(path.join(out, 'common', 'azureErrors.js'))});
      const heavy = Object.keys(require.cache).filter((k) => /node_modules[\\/]@azure/.test(k));
      process.stdout.write(JSON.stringify(heavy));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    assert.deepStrictEqual(loaded, []);
  });

  it('loadSandboxDescription resolves a relative caCertPath against the file and validates fields', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-sandbox-'));
    try {
      const file = path.join(dir, 'sandbox.json');
      fs.writeFileSync(file, JSON.stringify({ ...description, caCertPath: 'certs/ca.pem' }));
      const d = await loadSandboxDescription(file);
      assert.strictEqual(d.caCertPath, path.join(dir, 'certs', 'ca.pem'));
      assert.strictEqual(d.tenants[0]?.users.length, 2);
      fs.writeFileSync(file, JSON.stringify({ tenants: [] }));
      await assert.rejects(loadSandboxDescription(file), /missing "armEndpoint"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lazyCredential shares identical token requests in flight', () => {
  function counting() {
    const calls: Array<{ scopes: string | string[]; enableCae?: boolean }> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cred = lazyCredential(async () => ({
      getToken: async (scopes: string | string[], options?: { enableCae?: boolean }) => {
        calls.push({ scopes, enableCae: options?.enableCae });
        await gate;
        return { token: `t${calls.length}`, expiresOnTimestamp: Date.now() + 3600_000 };
      },
    }));
    return { cred, calls, release };
  }

  it('ten parallel asks for the same scope and options make one request; CAE and other scopes are their own', async () => {
    const { cred, calls, release } = counting();
    const same = Array.from({ length: 10 }, () => cred.getToken('https://management.azure.com/.default', { enableCae: true }));
    const nonCae = cred.getToken(['https://management.azure.com/.default']);
    const other = cred.getToken('https://purview.azure.net/.default', { enableCae: true });
    await new Promise((r) => setTimeout(r, 10));
    release();
    const tokens = await Promise.all(same);
    assert.strictEqual(new Set(tokens.map((t) => t?.token)).size, 1, 'every caller got the one token');
    await Promise.all([nonCae, other]);
    assert.strictEqual(calls.length, 3);
    assert.deepStrictEqual(calls.map((c) => c.enableCae), [true, undefined, true]);
    // Once settled, a fresh token is handed out again without asking the credential (MSAL's lookup
    // costs milliseconds per client); a claims challenge goes through and drops what was kept.
    const again = await cred.getToken('https://management.azure.com/.default', { enableCae: true });
    assert.strictEqual(again?.token, tokens[0]?.token);
    assert.strictEqual(calls.length, 3);
    await cred.getToken('https://management.azure.com/.default', { enableCae: true, claims: 'eyJhY2Nlc3NfdG9rZW4iOnt9fQ==' });
    assert.strictEqual(calls.length, 4);
    await cred.getToken('https://management.azure.com/.default', { enableCae: true });
    assert.strictEqual(calls.length, 5, 'after a challenge the next ask goes to the credential');
  });

  it('a token within five minutes of expiry is not handed out again', async () => {
    let n = 0;
    const cred = lazyCredential(async () => ({ getToken: async () => ({ token: `t${++n}`, expiresOnTimestamp: Date.now() + 4 * 60_000 }) }));
    assert.strictEqual((await cred.getToken('s/.default'))?.token, 't1');
    assert.strictEqual((await cred.getToken('s/.default'))?.token, 't2');
  });

  it('one caller giving up does not fail the others', async () => {
    const { cred, release } = counting();
    const ac = new AbortController();
    const quitter = cred.getToken('s/.default', { abortSignal: ac.signal });
    const stayer = cred.getToken('s/.default');
    ac.abort();
    await assert.rejects(quitter, (e: Error) => e.name === 'AbortError');
    release();
    assert.ok((await stayer)?.token);
  });
});
