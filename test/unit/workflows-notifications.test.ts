/** The plan's `notifications` section: every problem at once, and the JSON Schema agreeing with the checks. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { checkPlan } from '../../src/workflows/plan';
import { eventData } from '../../src/workflows/events';

const REPO = path.resolve(__dirname, '..', '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'recipe-plan.schema.json'), 'utf8')) as object;
const example = (): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'sandbox.recipe.json'), 'utf8')) as Record<string, unknown>;

describe('plan: notifications.eventGrid', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('a topic with webhook subscriptions passes the schema and the checks', () => {
    const plan = { ...example(), notifications: { eventGrid: { topic: 'gds-events', resourceGroup: 'contoso-sharing', subscriptions: [{ name: 'ops', endpointUrl: 'https://ops.example.com/hook?code=x', includedEventTypes: ['GovernedDataShare.SnapshotFailed'] }] } } };
    assert.ok(validate(plan), JSON.stringify(validate.errors));
    assert.equal(checkPlan(plan).notifications?.eventGrid?.subscriptions?.[0].name, 'ops');
  });

  it('reports every problem at once, and the schema refuses the same plan', () => {
    const plan = {
      ...example(),
      notifications: {
        eventGrid: {
          topic: 'no',
          colour: 'blue',
          subscriptions: [
            { name: 'ok-hook', endpointUrl: 'http://ops.example.com/hook' },
            { name: 'ok-hook', endpointUrl: 'https://user:pw@ops.example.com/' },
            { name: 'x', endpointUrl: 'not a url', includedEventTypes: ['GovernedDataShare.Nope'] },
          ],
        },
      },
    };
    assert.equal(validate(plan), false);
    assert.throws(
      () => checkPlan(plan),
      (e: Error) => {
        for (const want of [
          /notifications\.eventGrid\.topic: 'no' is not a valid Event Grid topic name/,
          /notifications\.eventGrid\.colour: is not a known property/,
          /subscriptions\[0\]\.endpointUrl: must be an https:\/\/ URL/,
          /subscriptions\[1\]\.name: 'ok-hook' is used twice/,
          /subscriptions\[1\]\.endpointUrl: must not carry a user name or password/,
          /subscriptions\[2\]\.name: 'x' is not a valid event subscription name/,
          /subscriptions\[2\]\.endpointUrl: 'not a url' is not a URL/,
          /subscriptions\[2\]\.includedEventTypes\[0\]: 'GovernedDataShare\.Nope' is not an event type/,
        ]) assert.match(e.message, want);
        return true;
      },
    );
  });

  it('event data keeps facts and drops secrets', () => {
    const d = eventData({ share: 's', accountKey: 'k1', nested: { sasToken: 'sv=x&sig=abc', files: 3 }, note: 'url https://a.blob.core.windows.net/c?sv=2020&sig=SECRETSIG' });
    assert.equal(d.share, 's');
    assert.equal('accountKey' in d, false);
    assert.deepEqual(d.nested, { files: 3 });
    assert.doesNotMatch(JSON.stringify(d), /SECRETSIG/);
  });
});
