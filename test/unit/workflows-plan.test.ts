import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { checkPlan, parsePlan } from '../../src/workflows/plan';
import { futureDate, rules } from '../../src/workflows/validate';

const REPO = path.resolve(__dirname, '..', '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'recipe-plan.schema.json'), 'utf8')) as object;
const example = (): Record<string, any> => JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'sandbox.recipe.json'), 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('recipe plan', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  it('the shipped example passes both the JSON Schema and the plan checks', () => {
    assert.ok(validate(example()), JSON.stringify(validate.errors));
    assert.equal(parsePlan(JSON.stringify(example())).share.datasets.length, 2);
  });

  const broken: Array<[string, (p: Record<string, any>) => void, RegExp]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an uppercase storage name', (p) => (p.provider.storageAccount = 'ContosoSales'), /provider\.storageAccount/],
    ['a too-long storage name', (p) => (p.consumer.storageAccount = 'a'.repeat(25)), /consumer\.storageAccount/],
    ['a tenant id that is not a GUID', (p) => (p.provider.tenantId = 'contoso'), /provider\.tenantId: 'contoso' is not a GUID/],
    ['an unknown property', (p) => (p.share.colour = 'blue'), /share\.colour: is not a known property/],
    ['no datasets', (p) => (p.share.datasets = []), /share\.datasets: needs at least one dataset/],
    ['a folder dataset without a path', (p) => (p.share.datasets = [{ name: 'x1', kind: 'Folder' }]), /share\.datasets\[0\]\.path/],
    ['a bad schedule time', (p) => (p.share.schedule.time = '25:00'), /share\.schedule\.time/],
    ['an invalid email', (p) => (p.invitation.targetEmail = 'ben@'), /invitation\.targetEmail/],
    ['a bad container name', (p) => (p.consumer.container = 'Landing--Zone'), /consumer\.container/],
    ['an unknown target', (p) => (p.target = 'aws'), /target: must be 'sandbox' or 'azure'/],
  ];
  for (const [what, mutate, message] of broken) {
    it(`refuses ${what} (and so does the JSON Schema)`, () => {
      const p = example();
      mutate(p);
      assert.throws(() => checkPlan(p), (e: Error) => message.test(e.message) && /nothing was changed/.test((e as { nextStep?: string }).nextStep ?? ''));
      assert.equal(validate(p), false, `the schema accepts ${what}`);
    });
  }

  it('checks what the schema cannot: both sides in different tenants, email xor principal, target tenant, future expiry', () => {
    const p = example();
    p.consumer.tenantId = p.provider.tenantId;
    p.invitation.targetTenantId = p.provider.tenantId;
    p.invitation.expiresOn = '2020-01-01';
    assert.throws(() => checkPlan(p), (e: Error) => /must differ from provider\.tenantId/.test(e.message) && /not both/.test(e.message) && /targetTenantId and targetObjectId go together/.test(e.message) && /in the past/.test(e.message));
  });

  it('reports every problem at once', () => {
    const p = example();
    p.provider.storageAccount = 'X';
    p.consumer.storageAccount = 'Y';
    p.invitation.targetEmail = 'nope';
    const msg = (() => { try { checkPlan(p); return ''; } catch (e) { return (e as Error).message; } })();
    assert.equal(msg.split('\n- ').length - 1, 3);
  });
});

describe('Azure naming rules', () => {
  it('storage accounts: 3-24 lowercase letters and digits', () => {
    assert.equal(rules.storageAccount('abc'), undefined);
    assert.equal(rules.storageAccount('a'.repeat(24)), undefined);
    for (const bad of ['ab', 'a'.repeat(25), 'Abc', 'ab-c', 'ab_c']) assert.ok(rules.storageAccount(bad), bad);
  });
  it('containers, resource groups, Data Share and Purview names, emails, GUIDs, times, blob paths', () => {
    assert.equal(rules.container('my-container1'), undefined);
    for (const bad of ['-abc', 'abc-', 'ab', 'a--b', 'ABC']) assert.ok(rules.container(bad), bad);
    assert.equal(rules.resourceGroup('rg_(1).x'), undefined);
    assert.ok(rules.resourceGroup('rg.'));
    assert.ok(rules.resourceGroup('a'.repeat(91)));
    assert.equal(rules.dataShareName('share_1-x'), undefined);
    assert.ok(rules.dataShareName('share 1'));
    assert.ok(rules.purviewAccount('-pv'));
    assert.equal(rules.email('ben@fabrikam.onmicrosoft.com'), undefined);
    for (const bad of ['ben', 'ben@', '@x.com', 'ben@x', 'b en@x.com']) assert.ok(rules.email(bad), bad);
    assert.equal(rules.guid('c0a70000-0000-4000-8000-000000000001'), undefined);
    assert.ok(rules.guid('c0a70000-0000-4000-8000-00000000001'));
    assert.equal(rules.timeOfDay('23:59'), undefined);
    assert.ok(rules.timeOfDay('24:00'));
    assert.ok(rules.blobPath('../etc/passwd'));
    assert.ok(rules.blobPath('/abs'));
    assert.equal(rules.blobPath('a/b.csv'), undefined);
  });
  it('dates: ISO 8601 and in the future', () => {
    const now = Date.parse('2026-12-05T00:00:00Z');
    assert.equal(futureDate('2027-01-01', now), undefined);
    assert.match(futureDate('2026-01-01', now) ?? '', /in the past/);
    assert.match(futureDate('next week', now) ?? '', /not an ISO 8601 date/);
  });
});
