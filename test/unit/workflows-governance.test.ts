import * as assert from 'node:assert/strict';
import { AuditTrail, auditToCsv, auditToMarkdown, type AuditRecord } from '../../src/workflows/audit';
import { evaluatePolicy } from '../../src/workflows/governance';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CARD = 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER';
const EMAIL = 'MICROSOFT.PERSONAL.EMAIL';

describe('governance policy', () => {
  const policy = { blocked: ['MICROSOFT.FINANCIAL.*'], requireJustification: [EMAIL], unknown: 'justify' as const };

  it('allows unclassified data and says so', () => {
    const d = evaluatePolicy([{ qualifiedName: 'q1', classifications: [] }], policy);
    assert.equal(d.decision, 'allow');
    assert.deepEqual(d.reasons, ['no classification found']);
  });
  it('blocks listed classifications (family wildcard), even with a justification', () => {
    const d = evaluatePolicy([{ qualifiedName: 'q1', classifications: [CARD] }], policy, 'please');
    assert.equal(d.decision, 'block');
    assert.match(d.reasons[0], /q1 is classified Credit Card Number \(MICROSOFT\.FINANCIAL\.CREDIT_CARD_NUMBER\), which the policy blocks/);
  });
  it('lets justified classifications pass only with a written justification', () => {
    assert.equal(evaluatePolicy([{ qualifiedName: 'q', classifications: [EMAIL] }], policy).decision, 'block');
    assert.equal(evaluatePolicy([{ qualifiedName: 'q', classifications: [EMAIL] }], policy, '   ').decision, 'block');
    const ok = evaluatePolicy([{ qualifiedName: 'q', classifications: [EMAIL] }], policy, ' Contract 7 ');
    assert.equal(ok.decision, 'allow-with-justification');
    assert.equal(ok.justification, 'Contract 7');
  });
  it('never-scanned data follows the policy for unknown', () => {
    const unknown = [{ qualifiedName: 'q', classifications: undefined }];
    assert.equal(evaluatePolicy(unknown, { ...policy, unknown: 'allow' }).decision, 'allow');
    assert.equal(evaluatePolicy(unknown, { ...policy, unknown: 'block' }).decision, 'block');
    assert.equal(evaluatePolicy(unknown, policy).decision, 'block');
    assert.equal(evaluatePolicy(unknown, policy, 'reviewed by hand').decision, 'allow-with-justification');
  });
  it('matching is case-insensitive and `*` matches everything', () => {
    assert.equal(evaluatePolicy([{ qualifiedName: 'q', classifications: ['microsoft.personal.email'] }], { blocked: ['*'] }).decision, 'block');
  });
});

describe('audit trail', () => {
  const rec = (over: Partial<AuditRecord> = {}): Omit<AuditRecord, 'time'> => ({ runId: 'r1', action: 'share.create', resourceIds: ['/subscriptions/x'], outcome: 'succeeded', actor: { tenantId: 't', objectId: 'o', name: 'Ava' }, ...over });

  it('appends JSON lines that survive a torn last line', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gds-audit-')), 'sub', 'audit.jsonl');
    const trail = new AuditTrail(file);
    trail.append(rec());
    trail.append(rec({ action: 'share.invite' }));
    fs.appendFileSync(file, '{"runId":"r1","act');
    assert.deepEqual(AuditTrail.read(file).map((r) => r.action), ['share.create', 'share.invite']);
  });
  it('never stores a token, key, SAS or secret', () => {
    const trail = new AuditTrail();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
    trail.append(rec({ message: `Authorization: Bearer ${jwt} url https://a.blob.core.windows.net/c/f?sv=1&sig=abcdefSECRET123 AccountKey=KEY123==; client_secret=s3cr3t` }));
    const text = JSON.stringify(trail.records);
    for (const s of [jwt, 'abcdefSECRET123', 'KEY123', 's3cr3t']) assert.ok(!text.includes(s), s);
  });
  it('keeps of the actor only tenant, object id and name (a signed-in principal also carries its email)', () => {
    const trail = new AuditTrail();
    trail.append(rec({ actor: { tenantId: 't', objectId: 'o', name: 'Ben', email: 'ben@fabrikam.com', kind: 'User' } as AuditRecord['actor'] }));
    assert.deepEqual(trail.records[0].actor, { tenantId: 't', objectId: 'o', name: 'Ben' });
  });
  it('exports CSV (header, quoting, no formula injection) and Markdown', () => {
    const records = [{ ...rec({ message: 'said "hi", then left' }), time: '2026-01-01T00:00:00Z' }, { ...rec({ message: '=HYPERLINK("x")', governance: { decision: 'block', classifications: ['A', 'B'], reasons: ['r'] } }), time: '2026-01-01T00:00:01Z' }] as AuditRecord[];
    const csv = auditToCsv(records).split('\r\n');
    assert.equal(csv[0], 'time,runId,actorTenantId,actorObjectId,actorName,action,tenantId,outcome,resourceIds,decision,classifications,justification,message');
    assert.ok(csv[1].endsWith('"said ""hi"", then left"'));
    assert.ok(csv[2].includes('block,A B,,"\'=HYPERLINK(""x"")"'), csv[2]);
    const md = auditToMarkdown(records);
    assert.match(md, /^# Audit trail\n\n2 record\(s\)\./);
    assert.match(md, /\| 2026-01-01T00:00:01Z \| Ava \| share\.create \|/);
  });
});
