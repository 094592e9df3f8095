import * as assert from 'assert';
import { parseSandboxDescription } from '../../src/workflows/connection';
import { UserFacingError, describeError, isCancellation, CancelledError } from '../../src/workflows/errors';
import { classificationLabel } from '../../src/workflows/classifications';

describe('parseSandboxDescription', () => {
  const good = {
    armEndpoint: 'https://127.0.0.1:8443', caCertPath: '/tmp/ca.pem', authorityHost: 'https://127.0.0.1:8443',
    tenants: [{ tenantId: 't1', displayName: 'Contoso', domain: 'contoso.example', subscriptions: [{ subscriptionId: 's1', displayName: 'Data' }], servicePrincipals: [{ clientId: 'c', secret: 'TOPSECRET' }] }],
  };

  it('reads tenants and subscriptions', () => {
    const info = parseSandboxDescription(JSON.stringify(good), '/x/sandbox.json');
    assert.strictEqual(info.armEndpoint, 'https://127.0.0.1:8443');
    assert.deepStrictEqual(info.tenants, [{ tenantId: 't1', displayName: 'Contoso', domain: 'contoso.example', subscriptions: [{ subscriptionId: 's1', displayName: 'Data' }] }]);
    assert.ok(!JSON.stringify(info).includes('TOPSECRET'), 'secrets are not carried into the connection info');
  });

  it('rejects invalid JSON with the command that regenerates the file', () => {
    assert.throws(() => parseSandboxDescription('{nope', '/x/sandbox.json'), (e: unknown) => e instanceof UserFacingError && /not valid JSON/.test(e.message) && /npm run sandbox/.test(e.nextStep ?? ''));
  });

  it('rejects a plain-http endpoint and files that are not sandbox descriptions', () => {
    assert.throws(() => parseSandboxDescription(JSON.stringify({ ...good, armEndpoint: 'http://127.0.0.1:1' }), 'f'), /does not describe a sandbox/);
    assert.throws(() => parseSandboxDescription(JSON.stringify({ hello: 1 }), 'f'), /does not describe a sandbox/);
    assert.throws(() => parseSandboxDescription(JSON.stringify({ ...good, tenants: [{ displayName: 'x' }] }), 'f'), /no tenantId/);
  });
});

describe('error helpers', () => {
  it('carry the next step from errors that have one', () => {
    const e = Object.assign(new Error('Forbidden'), { nextStep: 'Ask an Owner for access.' });
    assert.deepStrictEqual(describeError(e), { message: 'Forbidden', nextStep: 'Ask an Owner for access.' });
    assert.deepStrictEqual(describeError('plain'), { message: 'plain' });
  });

  it('recognise cancellation from AbortController and our own error', () => {
    const ac = new AbortController();
    ac.abort();
    assert.ok(isCancellation(new CancelledError()));
    assert.ok(isCancellation(Object.assign(new Error('x'), { name: 'AbortError' })));
    assert.ok(!isCancellation(new Error('boom')));
  });
});

describe('classificationLabel', () => {
  it('turns Purview system classification names into readable labels', () => {
    assert.strictEqual(classificationLabel('MICROSOFT.PERSONAL.EMAIL'), 'Email');
    assert.strictEqual(classificationLabel('MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER'), 'Credit Card Number');
    assert.strictEqual(classificationLabel('Custom'), 'Custom');
  });
});
