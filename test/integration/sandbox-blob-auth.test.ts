/**
 * Blob data access checks tokens as Azure Storage does: a token of another tenant, or one not
 * signed by the sandbox's authority, is refused (403 AuthenticationFailed) even where Azurite's
 * own "basic" OAuth mode would let it through; a principal of the owning tenant needs a blob data
 * role (403 AuthorizationPermissionMismatch without one); with one, it works.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { StorageManagementClient } from '@azure/arm-storage';
import { PasswordGrantCredential } from '../../src/auth';
import type { RunningSandbox } from '../../src/sandbox';
import { armOptions, blobClient, grantBlobData, spCredential, startTestSandbox, tenantOf } from './support/sandbox';

describe('sandbox blob data: token signature and tenant checked as in Azure', function () {
  this.timeout(60_000);
  let sandbox: RunningSandbox;
  let endpoint: string;

  before(async () => {
    ({ sandbox } = await startTestSandbox('blob-auth'));
    const contoso = tenantOf(sandbox, 'Contoso');
    const sub = contoso.subscriptions[0].subscriptionId;
    const { ResourceManagementClient } = await import('@azure/arm-resources');
    await new ResourceManagementClient(spCredential(sandbox, contoso), sub, armOptions(sandbox)).resourceGroups.createOrUpdate('data', { location: 'westeurope' });
    const storage = new StorageManagementClient(spCredential(sandbox, contoso), sub, armOptions(sandbox));
    const account = await storage.storageAccounts.beginCreateAndWait('data', 'contosoisolated', { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }, { updateIntervalInMs: 50 });
    await storage.blobContainers.create('data', 'contosoisolated', 'private', {});
    endpoint = account.primaryEndpoints!.blob!;
    await grantBlobData(sandbox, contoso, account.id!);
    await blobClient(sandbox, endpoint, spCredential(sandbox, contoso)).getContainerClient('private').getBlockBlobClient('secret.csv').uploadData(Buffer.from('id,salary\n1,100\n'));
  });

  after(async () => { await sandbox?.stop(); });

  async function statusOf(credential: TokenCredential): Promise<{ status: number; detail: string }> {
    try {
      // A listing answers errors with a body, so the service's detail reaches the client.
      await blobClient(sandbox, endpoint, credential).getContainerClient('private').listBlobsFlat().next();
      return { status: 200, detail: '' };
    } catch (e) {
      const err = e as { statusCode?: number; details?: { authenticationErrorDetail?: string; AuthenticationErrorDetail?: string }; message?: string };
      return { status: err.statusCode ?? 0, detail: `${err.details?.authenticationErrorDetail ?? err.details?.AuthenticationErrorDetail ?? ''} ${err.message ?? ''}` };
    }
  }

  it('lets the owning tenant read its blobs', async () => {
    assert.equal((await statusOf(spCredential(sandbox, tenantOf(sandbox, 'Contoso')))).status, 200);
  });

  it('refuses its own tenant\'s principal without a blob data role (Owner of the subscription is not enough)', async () => {
    const contoso = tenantOf(sandbox, 'Contoso');
    const user = contoso.users[0];
    const credential = new PasswordGrantCredential({ authorityHost: sandbox.description.authorityHost, tenantId: contoso.tenantId, username: user.email, password: user.password, caPem: sandbox.ca });
    const { status, detail } = await statusOf(credential);
    assert.equal(status, 403);
    assert.match(detail, /AuthorizationPermissionMismatch|not authorized to perform this operation using this permission/);
  });

  it('refuses a token of the other tenant, naming the issuer mismatch', async () => {
    const { status, detail } = await statusOf(spCredential(sandbox, tenantOf(sandbox, 'Fabrikam')));
    assert.equal(status, 403);
    assert.match(detail, /Issuer validation failed/);
  });

  it('refuses a well-formed storage token that the sandbox did not sign', async () => {
    const contoso = tenantOf(sandbox, 'Contoso');
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${contoso.tenantId}/`, tid: contoso.tenantId, oid: contoso.servicePrincipals[0].objectId, nbf: now - 60, iat: now - 60, exp: now + 3600 })}`;
    const forged = `${unsigned}.${crypto.sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
    const { status, detail } = await statusOf({ getToken: async () => ({ token: forged, expiresOnTimestamp: (now + 3600) * 1000 }) });
    assert.equal(status, 403);
    assert.match(detail, /Signature validation failed/);
  });
});
