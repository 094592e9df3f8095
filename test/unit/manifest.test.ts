import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

describe('package.json contributions', () => {
  it('activates only as needed: no "*" and no onStartupFinished', () => {
    const events: string[] = manifest.activationEvents ?? [];
    assert.ok(!events.includes('*'), 'no * activation');
    assert.ok(!events.includes('onStartupFinished'), 'no onStartupFinished activation');
  });

  it('names the package, container and prefixes as agreed', () => {
    assert.strictEqual(manifest.name, 'governed-data-share');
    assert.strictEqual(manifest.displayName, 'Governed Data Share');
    assert.deepStrictEqual(contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id), ['governedDataShare']);
    for (const c of contributes.commands) assert.match(c.command, /^governedDataShare\./);
    for (const key of Object.keys(contributes.configuration.properties)) assert.match(key, /^governedDataShare\./);
  });

  it('gives every command a title and the Governed Data Share category', () => {
    for (const c of contributes.commands) {
      assert.ok(c.title, `${c.command} has a title`);
      assert.strictEqual(c.category, 'Governed Data Share', `${c.command} category`);
    }
  });

  it('has the Shares, Purview Catalog and Activity views, each with welcome content, and a Data Quality view shown once a check ran', () => {
    const all = contributes.views.governedDataShare as Array<{ id: string; name: string; when?: string }>;
    assert.deepStrictEqual(all.map((v) => [v.id, v.name]), [['governedDataShare.shares', 'Shares'], ['governedDataShare.catalog', 'Purview Catalog'], ['governedDataShare.activity', 'Activity'], ['governedDataShare.quality', 'Data Quality']]);
    for (const v of all.filter((x) => !x.when)) {
      assert.ok(contributes.viewsWelcome.some((w: { view: string; contents: string }) => w.view === v.id && w.contents.length > 20), `${v.id} has welcome content`);
    }
    assert.match(all.find((v) => v.id === 'governedDataShare.quality')?.when ?? '', /governedDataShare\.quality\.hasResults/);
  });

  it('has a walkthrough whose media files exist', () => {
    const [walkthrough] = contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 3);
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(fs.existsSync(path.join(REPO, media)), `${media} exists`);
    }
  });

  it('points main at the bundle, not at sources', () => {
    assert.strictEqual(manifest.main, './dist/extension.js');
  });
});
