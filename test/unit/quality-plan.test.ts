import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parsePlan } from '../../src/workflows/plan';
import { readQualityFromEntity } from '../../src/workflows/quality';
import { rulesFileFor } from '../../src/workflows/quality/planRules';

const REPO = path.resolve(__dirname, '..', '..', '..');
const example = (): Record<string, any> => JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'sandbox.recipe.json'), 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('governance.quality in the plan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-dq-plan-'));
  const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'recipe-plan.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('names rules files for the share and per dataset; they are read with the plan', () => {
    fs.writeFileSync(path.join(dir, 'share.dq.yaml'), 'version: 1\nrules:\n  - { kind: row_count, min: 1 }\n');
    fs.writeFileSync(path.join(dir, 'regions.dq.json'), JSON.stringify({ version: 1, rules: [{ kind: 'unique', column: 'region' }] }));
    const p = example();
    p.governance.quality = { rules: 'share.dq.yaml', datasets: { regions: 'regions.dq.json' } };
    assert.ok(validate(p), JSON.stringify(validate.errors));
    const plan = parsePlan(JSON.stringify(p), 'The plan', Date.now(), dir);
    assert.equal(rulesFileFor(plan, plan.share.datasets[0]), 'share.dq.yaml');
    assert.equal(rulesFileFor(plan, plan.share.datasets[1]), 'regions.dq.json');
  });

  it('reports every problem at once: unknown keys, unknown datasets, missing and invalid rules files with their lines', () => {
    fs.writeFileSync(path.join(dir, 'bad.dq.yaml'), 'version: 1\nrules:\n  - { kind: range, column: amount }\n');
    const p = example();
    p.governance.quality = { rules: 'bad.dq.yaml', datasets: { nope: 'missing.dq.yaml' }, colour: 'blue' };
    p.share.name = 'x'; // an unrelated problem is reported alongside
    assert.throws(() => parsePlan(JSON.stringify(p), 'The plan', Date.now(), dir), (e: Error) =>
      /governance\.quality\.colour: is not a known property/.test(e.message)
      && /governance\.quality\.datasets\.nope: names no dataset of the share \(sales-history, regions\)/.test(e.message)
      && /governance\.quality\.datasets\.nope: cannot read the rules file .*missing\.dq\.yaml: no such file/.test(e.message)
      && /governance\.quality\.rules: the rules file has 1 problem\(s\):\n\s+bad\.dq\.yaml:3:5: rules\[0\]: A range rule needs `min`, `max` or both\./.test(e.message)
      && /share\.name/.test(e.message)
      && /nothing was changed/.test((e as { nextStep?: string }).nextStep ?? ''));
  });

  it('reads the outcome back from an entity: business metadata first, else the label', () => {
    assert.equal(readQualityFromEntity({ labels: ['x'] }), undefined);
    assert.deepEqual(readQualityFromEntity({ labels: ['DataQuality_Warn'] }), { outcome: 'warn', checkedAt: '', passed: 0, failed: 0 });
    const e = { labels: ['DataQuality_Fail'], businessAttributes: { GovernedDataShare_DataQuality: { outcome: 'fail', checkedAt: '2026-12-06T03:00:00.000Z', passed: 3, failed: '2', warned: 1, errors: 0, rules: 'sales.dq.yaml' } } };
    assert.deepEqual(readQualityFromEntity(e), { outcome: 'fail', checkedAt: '2026-12-06T03:00:00.000Z', passed: 3, failed: 2, warned: 1, errors: 0, rules: 'sales.dq.yaml' });
  });
});
