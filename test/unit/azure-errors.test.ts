import * as assert from 'assert';
import { inspect } from 'util';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { DataShareClient } from '../../src/azure/datashare/client';
import { AzureRequestError, errorFromResponse, nextStepFor, redactSecrets, toAzureRequestError, undefinedIfNotFound } from '../../src/common/azureErrors';
import { ARM, harness, SECRET_TOKEN, SUB } from './support/azureFakes';

const acct = { subscriptionId: SUB, resourceGroupName: 'rg', accountName: 'acct' };

function leaks(err: unknown, secret: string): boolean {
  const e = err as Error;
  const texts = [String(e.message), String(e.stack), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })];
  return texts.some((t) => t.includes(secret));
}

describe('AzureRequestError', () => {
  it('carries status, code, message, request id, target and a next step from an ARM error body', async () => {
    const h = harness();
    h.http.enqueue({
      status: 403,
      headers: { 'x-ms-request-id': 'rid-1', 'x-ms-correlation-request-id': 'corr-1' },
      body: {
        error: {
          code: 'AuthorizationFailed',
          message: "The client 'x' does not have authorization to perform action 'Microsoft.DataShare/accounts/read'.",
          target: 'accounts',
          details: [{ code: 'Inner', message: 'more' }],
        },
      },
    });
    const err = await new DataShareClient(h.credential, { ...h.settings, endpoint: ARM }).accounts.get(acct).catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.statusCode, 403);
    assert.strictEqual(err.code, 'AuthorizationFailed');
    assert.match(err.message, /does not have authorization/);
    assert.strictEqual(err.requestId, 'rid-1');
    assert.strictEqual(err.target, 'accounts');
    assert.deepStrictEqual(err.details, [{ code: 'Inner', message: 'more' }]);
    assert.match(err.nextStep, /Owner or User Access Administrator/);
    assert.strictEqual(err.method, 'GET');
    assert.ok(err.url && !err.url.includes('?'), 'url without query');
  });

  it('never leaks the Authorization header or token', async () => {
    const h = harness();
    h.http.enqueue({ status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } } });
    const err = await new DataShareClient(h.credential, { ...h.settings, endpoint: ARM }).accounts.get(acct).catch((e: unknown) => e);
    assert.ok(h.http.requests[0]!.headers.authorization?.includes(SECRET_TOKEN), 'the token was really sent');
    assert.ok(err instanceof AzureRequestError);
    assert.ok(!leaks(err, SECRET_TOKEN));

    // A RestError from any SDK, whose request still holds the header.
    const request = createPipelineRequest({ url: `${ARM}/x?api-version=1`, headers: createHttpHeaders({ authorization: `Bearer ${SECRET_TOKEN}` }) });
    const rest = new RestError(`Request failed; Authorization: Bearer ${SECRET_TOKEN}`, {
      statusCode: 401,
      code: 'ExpiredAuthenticationToken',
      request,
      response: { status: 401, headers: createHttpHeaders({ 'x-ms-request-id': 'r' }), request, bodyAsText: '' },
    });
    const converted = toAzureRequestError(rest);
    assert.strictEqual(converted.code, 'ExpiredAuthenticationToken');
    assert.strictEqual(converted.statusCode, 401);
    assert.strictEqual(converted.requestId, 'r');
    assert.match(converted.nextStep, /sign in again/i);
    assert.ok(!leaks(converted, SECRET_TOKEN));
    assert.ok(!leaks(converted, 'eyJ'));
  });

  it('maps every known code to a specific next step', () => {
    const generic = new Set([400, 401, 403, 404, 409, 429, 500].map((s) => nextStepFor('SomethingUnknown', s)));
    generic.add(nextStepFor('SomethingUnknown'));
    const codes = [
      'AuthorizationFailed',
      'MissingSubscriptionRegistration',
      'InvalidAuthenticationTokenTenant',
      'ExpiredAuthenticationToken',
      'InvalidAuthenticationToken',
      'InvalidAuthenticationTokenAudience',
      'ResourceNotFound',
      'ResourceGroupNotFound',
      'StorageAccountAlreadyTaken',
      'AccountNameInvalid',
      'RoleAssignmentExists',
      'PrincipalNotFound',
      'TooManyRequests',
      'Conflict',
      'InvitationNotFound',
      'AuthorizationPermissionMismatch',
      'RequestDisallowedByPolicy',
      'ScopeLocked',
      'CredentialUnavailable',
      'Canceled',
      'UntrustedFollowUrl',
    ];
    for (const code of codes) {
      const step = nextStepFor(code, 400);
      assert.ok(!generic.has(step), `${code} has its own next step`);
      assert.ok(/[.]$/.test(step), `${code}: a sentence`);
      assert.strictEqual(nextStepFor(code.toLowerCase(), 400), step, 'case-insensitive');
    }
    assert.match(nextStepFor('MissingSubscriptionRegistration', 409, "The subscription is not registered to use namespace 'Microsoft.DataShare'."), /Microsoft\.DataShare/);
    assert.match(nextStepFor('TooManyRequests', 429, '', 17_000), /17 seconds/);
    assert.match(nextStepFor('Weird', 503), /temporary/);
  });

  it('reads Atlas, OAuth, storage XML and flat error bodies', () => {
    const atlas = errorFromResponse({ status: 404, bodyAsText: JSON.stringify({ requestId: 'atlas-1', errorCode: 'ATLAS-404-00-005', errorMessage: 'Given instance guid x is invalid/not found' }) });
    assert.deepStrictEqual([atlas.code, atlas.requestId, atlas.statusCode], ['ATLAS-404-00-005', 'atlas-1', 404]);
    assert.match(atlas.nextStep, /does not exist/);

    const oauth = errorFromResponse({ status: 401, bodyAsText: JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x' }) });
    assert.strictEqual(oauth.code, 'invalid_client');
    assert.strictEqual(oauth.message, 'AADSTS7000215: Invalid client secret provided.');
    assert.match(oauth.nextStep, /client secret is invalid/);

    const xml = errorFromResponse({ status: 403, bodyAsText: '<?xml version="1.0"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized.\nRequestId:1</Message></Error>' });
    assert.strictEqual(xml.code, 'AuthorizationPermissionMismatch');
    assert.match(xml.nextStep, /Storage Blob Data/);

    const flat = errorFromResponse({ status: 400, bodyAsText: JSON.stringify({ code: 'AccountNameInvalid', message: 'Bad name.' }) });
    assert.strictEqual(flat.code, 'AccountNameInvalid');

    const empty = errorFromResponse({ status: 404, bodyAsText: '' });
    assert.strictEqual(empty.code, 'NotFound');
    assert.strictEqual(empty.isNotFound, true);
  });

  it('converts identity, network, abort and unknown errors', () => {
    const auth = Object.assign(new Error('ClientSecretCredential authentication failed'), {
      name: 'AuthenticationError',
      statusCode: 400,
      errorResponse: { error: 'invalid_grant', errorDescription: 'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.', traceId: 't-1' },
    });
    const a = toAzureRequestError(auth);
    assert.strictEqual(a.code, 'invalid_grant');
    assert.strictEqual(a.requestId, 't-1');
    assert.match(a.nextStep, /multi-factor/);

    const unavailable = toAzureRequestError(Object.assign(new Error('Azure CLI could not be found.'), { name: 'CredentialUnavailableError' }));
    assert.strictEqual(unavailable.code, 'CredentialUnavailable');

    const tls = toAzureRequestError(new RestError('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
    assert.match(tls.nextStep, /caCertPath/);

    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    assert.strictEqual(toAzureRequestError(abort).code, 'Canceled');
    assert.strictEqual(toAzureRequestError('weird').code, 'UnknownError');
    const same = new AzureRequestError({ code: 'X', message: 'y' });
    assert.strictEqual(toAzureRequestError(same), same);
  });

  it('redacts secrets in messages', () => {
    const e = new AzureRequestError({ code: 'X', message: `failed with Bearer abc.def.ghi and ${SECRET_TOKEN} client_secret=s3cret&password=hunter2 "access_token":"tok"` });
    for (const s of ['abc.def.ghi', SECRET_TOKEN, 's3cret', 'hunter2', '"tok"']) {
      assert.ok(!e.message.includes(s), `${s} removed: ${e.message}`);
    }
    assert.strictEqual(redactSecrets('Share sales created in westeurope.'), 'Share sales created in westeurope.');
  });

  it('undefinedIfNotFound swallows only 404s', async () => {
    assert.strictEqual(await undefinedIfNotFound(async () => Promise.reject(new AzureRequestError({ statusCode: 404, code: 'ResourceNotFound', message: 'x' }))), undefined);
    await assert.rejects(
      undefinedIfNotFound(async () => Promise.reject(new AzureRequestError({ statusCode: 400, code: 'PrincipalNotFound', message: 'x' }))),
      (e: unknown) => e instanceof AzureRequestError && e.code === 'PrincipalNotFound',
    );
    assert.strictEqual(await undefinedIfNotFound(async () => 5), 5);
  });
});
