import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { WorkflowRun } from '../../src/azure';
import { checkApprovalPlan } from '../../src/workflows/approvalPlan';
import { adaptiveCard, approvalMode, approvalReasons, approvalWorkflowDefinition, armAudiences, connectorWorkflowDefinition, decisionsAccessControl, decisionsWorkflowDefinition, decisionsWorkflowName, judgeRun, type ApprovalFacts, type ApprovalPolicy, type ApprovalRequest } from '../../src/workflows/approvals';
import { checkPlan } from '../../src/workflows/plan';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CONTOSO = 'c0a70000-0000-4000-8000-000000000001';
const FABRIKAM = 'fab00000-0000-4000-8000-000000000002';
const NOW = new Date('2026-03-01T12:00:00Z');

const facts = (over: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  assets: ['cso/sales/sales (sales-history)'],
  classifications: [],
  consumerTenantId: CONTOSO,
  consumerIdentity: 'ben@fabrikam.onmicrosoft.com',
  expiresOn: '2026-03-08T12:00:00Z',
  ...over,
});

describe('approvalReasons', () => {
  const policy: ApprovalPolicy = { required: { classifications: ['MICROSOFT.FINANCIAL.*', 'MICROSOFT.GOVERNMENT.US.SOCIAL_SECURITY_NUMBER'], dataQualityWarnings: true, allowedConsumerTenants: [CONTOSO], maxExpiryDays: 30 } };

  it('asks for nothing without a policy, or when every fact is within it', () => {
    assert.deepEqual(approvalReasons(undefined, facts({ classifications: ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER'] }), NOW), []);
    assert.deepEqual(approvalReasons({ channel: 'editor' }, facts({ classifications: ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER'] }), NOW), []);
    assert.deepEqual(approvalReasons(policy, facts({ classifications: ['MICROSOFT.PERSONAL.EMAIL'], dataQuality: { outcome: 'pass', warnings: 0, failures: 0 } }), NOW), []);
  });

  it('classifications by exact name and by family pattern, case-insensitively, each named once', () => {
    const r = approvalReasons(policy, facts({ classifications: ['microsoft.financial.credit_card_number', 'MICROSOFT.GOVERNMENT.US.SOCIAL_SECURITY_NUMBER', 'MICROSOFT.GOVERNMENT.US.PASSPORT_NUMBER', 'microsoft.financial.credit_card_number'] }), NOW);
    assert.deepEqual(r, ['the data is classified MICROSOFT.GOVERNMENT.US.SOCIAL_SECURITY_NUMBER, microsoft.financial.credit_card_number']);
    assert.deepEqual(approvalReasons({ required: { classifications: ['*'] } }, facts({ classifications: ['X'] }), NOW), ['the data is classified X']);
  });

  it('data-quality warnings only when the policy asks and the check warned', () => {
    const warned = facts({ dataQuality: { outcome: 'warn', warnings: 2, failures: 0, summary: 'amount has 3% missing' } });
    assert.deepEqual(approvalReasons(policy, warned, NOW), ['data-quality rules warned (2 warning(s): amount has 3% missing)']);
    assert.deepEqual(approvalReasons({ required: { dataQualityWarnings: false } }, warned, NOW), []);
    assert.deepEqual(approvalReasons(policy, facts(), NOW), [], 'not checked is not a warning');
  });

  it('consumer tenants outside the allow-list (compared case-insensitively)', () => {
    assert.deepEqual(approvalReasons(policy, facts({ consumerTenantId: FABRIKAM }), NOW), [`the consumer tenant ${FABRIKAM} is not on the allow-list`]);
    assert.deepEqual(approvalReasons(policy, facts({ consumerTenantId: CONTOSO.toUpperCase() }), NOW), []);
    assert.equal(approvalReasons({ required: { allowedConsumerTenants: [] } }, facts(), NOW).length, 1, 'an empty allow-list allows no tenant');
  });

  it('expiry longer than N days, or none at all; exactly N days passes', () => {
    assert.deepEqual(approvalReasons(policy, facts({ expiresOn: '2026-03-31T12:00:00Z' }), NOW), []);
    assert.deepEqual(approvalReasons(policy, facts({ expiresOn: '2026-03-31T12:00:01Z' }), NOW), ['the access lasts 31 day(s), longer than 30']);
    assert.deepEqual(approvalReasons(policy, facts({ expiresOn: undefined }), NOW), ['the access has no expiry (the policy allows at most 30 day(s) without approval)']);
  });

  it('lists every reason at once', () => {
    const r = approvalReasons(policy, facts({ classifications: ['MICROSOFT.FINANCIAL.IBAN'], consumerTenantId: FABRIKAM, expiresOn: undefined, dataQuality: { outcome: 'warn', warnings: 1, failures: 0 } }), NOW);
    assert.equal(r.length, 4);
  });
});

describe('governance.approval in the plan', () => {
  const example = (): Record<string, any> => JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'sandbox.recipe.json'), 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'recipe-plan.schema.json'), 'utf8')) as object);
  const good = { required: { classifications: ['MICROSOFT.FINANCIAL.*'], allowedConsumerTenants: [CONTOSO], maxExpiryDays: 30, dataQualityWarnings: true }, channel: 'editor', logicApp: { name: 'gds-approvals', teamsWebhookUrl: 'https://contoso.webhook.office.com/x' }, approverTimeoutMinutes: 60, decisionValidHours: 8, requestReason: 'forecast' };

  it('accepts a full section (plan checks and JSON Schema agree)', () => {
    const p = example();
    p.governance.approval = good;
    assert.equal(checkPlan(p).governance?.approval?.channel, 'editor');
    assert.ok(validate(p), JSON.stringify(validate.errors));
  });

  it('reports every problem at once, and the schema refuses the same plan', () => {
    const p = example();
    p.governance.approval = { required: { classifications: 'PII', allowedConsumerTenants: ['fabrikam'], maxExpiryDays: 0, colour: 1 }, channel: 'email', logicApp: { name: 'bad name!', teamsWebhookUrl: 'http://x' }, approverTimeoutMinutes: -1, decisionValidHours: 'a day' };
    const problems = checkApprovalPlan(p.governance.approval).map(([f]) => f);
    for (const f of ['required.classifications', 'required.allowedConsumerTenants', 'required.maxExpiryDays', 'required.colour', 'channel', 'logicApp.name', 'logicApp.teamsWebhookUrl', 'approverTimeoutMinutes', 'decisionValidHours']) {
      assert.ok(problems.includes(`governance.approval.${f}`), `reports ${f}: ${problems.join(', ')}`);
    }
    assert.throws(() => checkPlan(p), (e: Error) => /governance\.approval\.channel/.test(e.message) && /governance\.approval\.logicApp\.name/.test(e.message));
    assert.equal(validate(p), false);
  });

  it('a Teams channel instead of a webhook: accepted by both checks; a bad team or channel id is named, and one of the two is needed', () => {
    const p = example();
    p.governance.approval = { ...good, logicApp: { name: 'gds-approvals', teams: { teamId: '3f0c9a4e-1b2d-4c5e-8f70-9a1b2c3d4e5f', channelId: '19:abc123@thread.tacv2' } } };
    assert.equal(approvalMode(checkPlan(p).governance!.approval!), 'connector');
    assert.ok(validate(p), JSON.stringify(validate.errors));
    p.governance.approval.logicApp.teams = { teamId: 'sales team', channelId: 'General', colour: 1 };
    const problems = checkApprovalPlan(p.governance.approval).map(([f]) => f);
    assert.deepEqual(problems.sort(), ['governance.approval.logicApp.teams.channelId', 'governance.approval.logicApp.teams.colour', 'governance.approval.logicApp.teams.teamId']);
    assert.equal(validate(p), false);
    p.governance.approval.logicApp = { name: 'gds-approvals' };
    assert.match(checkApprovalPlan(p.governance.approval).map(([f, m]) => `${f}: ${m}`).join('\n'), /logicApp\.teamsWebhookUrl: must be an https URL .*unless logicApp\.teams/);
    assert.equal(validate(p), false);
    assert.equal(approvalMode(good as ApprovalPolicy), 'service');
  });

  it('needs the Logic App when approval is required (it holds the requests)', () => {
    assert.match(checkApprovalPlan({ required: { maxExpiryDays: 3 } }).map(([f, m]) => `${f}: ${m}`).join('\n'), /governance\.approval\.logicApp: is required/);
  });
});

describe('the approval template and judging a run', () => {
  const request = { requester: { tenantId: CONTOSO, objectId: 'req', name: 'contoso-automation', kind: 'ServicePrincipal' as const }, decisionValidHours: 2, share: { tenantId: CONTOSO, id: '/s', name: 's' } };
  const run = (over: Partial<WorkflowRun> & { decision?: unknown }): WorkflowRun =>
    ({ name: 'run1', status: 'Succeeded', startTime: new Date('2026-03-01T10:00:00Z'), endTime: new Date('2026-03-01T11:00:00Z'), outputs: over.decision ? { decision: { type: 'Object', value: over.decision } } : {}, ...over }) as unknown as WorkflowRun;
  const answer = (objectId: string, outcome = 'Approve', respondedAt = '2026-03-01T11:00:00Z') => ({ outcome, comment: 'c', respondedAt, responder: { tenantId: CONTOSO, objectId, displayName: objectId === 'req' ? 'contoso-automation' : 'Ava Provider' } });

  it('the template posts an Adaptive Card, waits with the timeout and reports the decision as outputs', () => {
    const d = approvalWorkflowDefinition('https://teams/x', 'https://svc', 45) as { triggers: Record<string, { type: string }>; actions: Record<string, { type: string; limit?: { timeout: string }; runAfter?: Record<string, string[]> }>; outputs: Record<string, unknown> };
    assert.equal(d.triggers.manual.type, 'Request');
    assert.equal(d.actions.Post_card_to_Teams.type, 'Http');
    assert.equal(d.actions.Wait_for_response.type, 'HttpWebhook');
    assert.equal(d.actions.Wait_for_response.limit?.timeout, 'PT45M');
    assert.deepEqual(d.actions.Timed_out.runAfter, { Wait_for_response: ['TimedOut'] });
    assert.ok(d.outputs.decision);
  });

  it('the connector template: the Teams connector posts the card to the channel and waits; the decision shape is the same', () => {
    const d = connectorWorkflowDefinition({ teamId: 't', channelId: '19:c@thread.tacv2' }, 30) as { parameters: Record<string, unknown>; actions: Record<string, { type: string; limit?: { timeout: string }; inputs: Record<string, any> }>; outputs: Record<string, unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const wait = d.actions.Wait_for_response;
    assert.equal(wait.type, 'ApiConnectionWebhook');
    assert.equal(wait.inputs.host.connection.name, "@parameters('$connections')['teams']['connectionId']");
    assert.equal(wait.inputs.path, "/v1.0/teams/conversation/gatherinput/poster/@{encodeURIComponent('Flow bot')}/location/@{encodeURIComponent('Channel')}/$subscriptions");
    assert.deepEqual(wait.inputs.body.body.recipient, { groupId: 't', channelId: '19:c@thread.tacv2' });
    assert.equal(wait.inputs.body.notificationUrl, '@{listCallbackUrl()}');
    assert.equal(wait.limit?.timeout, 'PT30M');
    assert.ok(d.parameters.$connections);
    assert.deepEqual(Object.keys(d.actions.Decision.inputs).sort(), Object.keys((approvalWorkflowDefinition('https://t', 'https://s', 1) as { actions: Record<string, { inputs: object }> }).actions.Decision.inputs).sort());
  });

  it('the decisions workflow: OAuth for the provider tenant and ARM, the header kept only in secured trigger outputs, the claims as the responder', () => {
    const d = decisionsWorkflowDefinition() as { triggers: Record<string, any>; actions: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(d.triggers.manual.operationOptions, 'IncludeAuthorizationHeadersInOutputs');
    assert.deepEqual(d.triggers.manual.runtimeConfiguration.secureData.properties, ['inputs', 'outputs']);
    assert.match(d.actions.Caller.inputs, /^@json\(base64ToString\(/);
    assert.equal(d.actions.Decision.inputs.responder.objectId, "@outputs('Caller')?['oid']");
    const policies = (decisionsAccessControl(CONTOSO) as any).triggers.openAuthenticationPolicies.policies; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(Object.values(policies).map((p: any) => p.claims), armAudiences().map((aud) => [{ name: 'iss', value: `https://sts.windows.net/${CONTOSO}/` }, { name: 'aud', value: aud }])); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(armAudiences(), ['https://management.azure.com/', 'https://management.azure.com']);
    assert.equal(decisionsWorkflowName('gds-approvals'), 'gds-approvals-decisions');
    assert.equal(decisionsWorkflowName('x'.repeat(80)).length, 80);
  });

  it('maps the responder to the approver; approve within the validity passes', () => {
    const j = judgeRun(run({ decision: answer('ava') }), request, new Date('2026-03-01T12:59:00Z'));
    assert.equal(j.outcome, 'approved');
    assert.deepEqual(j.approver, { tenantId: CONTOSO, objectId: 'ava', name: 'Ava Provider' });
    assert.equal(j.requester?.name, 'contoso-automation');
  });

  it('refuses self-approval, rejections, expired approvals, answers with no responder or from another tenant', () => {
    assert.equal(judgeRun(run({ decision: answer('req') }), request, NOW).outcome, 'selfApproval');
    assert.equal(judgeRun(run({ decision: answer('ava', 'Reject') }), request, NOW).outcome, 'rejected');
    assert.equal(judgeRun(run({ decision: answer('ava') }), request, new Date('2026-03-01T13:00:01Z')).outcome, 'expired');
    assert.equal(judgeRun(run({ decision: { outcome: 'Approve' } }), request, NOW).outcome, 'failed');
    assert.equal(judgeRun(run({ decision: { ...answer('ava'), responder: { tenantId: FABRIKAM, objectId: 'ben', displayName: 'Ben' } } }), request, NOW).outcome, 'failed');
  });

  it('running, cancelled and timed-out runs', () => {
    assert.equal(judgeRun(run({ status: 'Running' }), request, NOW).outcome, 'pending');
    assert.equal(judgeRun(run({ status: 'Cancelled' }), request, NOW).outcome, 'cancelled');
    assert.equal(judgeRun(run({ status: 'Failed', error: { code: 'ApprovalTimedOut', message: 'No approver answered within 30 minute(s).' } }), request, NOW).outcome, 'timedOut');
  });

  it('the card carries who asks, what, for whom, until when and why, and stays small', () => {
    const req: ApprovalRequest = {
      key: 'gds-approval-1', requestedAt: NOW.toISOString(), requester: request.requester, share: { tenantId: CONTOSO, id: '/subscriptions/s/shares/sales', name: 'sales' },
      assets: Array.from({ length: 500 }, (_, i) => `acct/c/file-${i}.csv`), classifications: ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER'], dataQuality: { outcome: 'warn', warnings: 1, failures: 0 },
      consumer: { tenantId: FABRIKAM, identity: 'ben@fabrikam.onmicrosoft.com' }, expiresOn: '2026-04-01T00:00:00.000Z', reason: 'forecast', reasons: ['x'], channel: 'logicApp', decisionValidHours: 2,
    };
    const card = adaptiveCard(req) as { type: string; body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> };
    assert.equal(card.type, 'AdaptiveCard');
    const facts = Object.fromEntries(card.body.find((b) => b.type === 'FactSet')!.facts!.map((f) => [f.title, f.value]));
    assert.match(facts['Requested by'], /contoso-automation/);
    assert.match(facts.Assets, /and 490 more$/);
    assert.equal(facts['Consumer tenant'], FABRIKAM);
    assert.equal(facts.Until, '2026-04-01T00:00:00.000Z');
    assert.equal(facts.Why, 'forecast');
    assert.match(facts['Data quality'], /warn \(1 warning/);
    assert.ok(JSON.stringify(card).length < 28 * 1024);
  });
});

describe('the answerable card (Teams connector)', () => {
  it('has a comment box and Approve / Reject submit actions only when the connector waits on it', () => {
    const req = { key: 'k', requestedAt: NOW.toISOString(), requester: { tenantId: CONTOSO, objectId: 'r', name: 'r', kind: 'User' as const }, share: { tenantId: CONTOSO, id: '/s', name: 's' }, assets: [], classifications: [], dataQuality: 'not checked' as const, consumer: { tenantId: FABRIKAM, identity: 'b' }, expiresOn: null, reason: 'why', reasons: ['x'], channel: 'logicApp' as const, decisionValidHours: 1 };
    const plain = adaptiveCard(req) as { actions?: unknown; body: Array<{ type: string }> };
    assert.equal(plain.actions, undefined);
    assert.ok(!plain.body.some((b) => b.type === 'Input.Text'));
    const answerable = adaptiveCard(req, { answerable: true }) as { actions: Array<{ type: string; id: string }>; body: Array<{ type: string; id?: string }> };
    assert.deepEqual(answerable.actions.map((a) => [a.type, a.id]), [['Action.Submit', 'Approve'], ['Action.Submit', 'Reject']]);
    assert.equal(answerable.body.find((b) => b.type === 'Input.Text')?.id, 'comment');
  });
});
