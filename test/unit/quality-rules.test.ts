import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parseRules, scaffoldRules } from '../../src/workflows/quality';

const REPO = path.resolve(__dirname, '..', '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'quality-rules.schema.json'), 'utf8')) as object;

const GOOD_YAML = `version: 1
dataset: sales
classifiedColumns: [email]
rules:
  - kind: schema
    required: [id, email, amount]
    forbidden: [ssn]
    types: { id: integer, amount: number }
  - kind: not_null
    column: id
  - kind: unique
    columns: [id, region]
  - kind: row_count
    min: 1
    max: 1000000
  - kind: regex
    column: email
    pattern: "^[^@]+@[^@]+$"
    severity: warn
    tolerance: "2%"
  - kind: accepted_values
    column: region
    values: [EU, US]
  - kind: range
    column: amount
    min: 0
    max: 10000
  - kind: missing_percent
    column: region
    max: 5
  - kind: freshness
    column: updated
    maxAge: 3d
`;

describe('data-quality rules files', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  it('a good YAML file parses, and its JSON form passes the JSON Schema too', () => {
    const { rules, problems } = parseRules(GOOD_YAML, 'sales.dq.yaml');
    assert.deepEqual(problems, []);
    assert.equal(rules?.rules.length, 9);
    assert.ok(validate(rules), JSON.stringify(validate.errors));
    const asJson = JSON.stringify(rules, null, 2);
    assert.deepEqual(parseRules(asJson, 'sales.dq.json').rules, rules);
  });

  it('reports every problem of a YAML file at once, each at its position', () => {
    const text = [
      'version: 2', //                       0
      'colour: blue', //                     1
      'rules:', //                           2
      '  - kind: not_nul', //                3
      '    column: id', //                   4
      '  - kind: range', //                  5
      '    column: amount', //               6
      '    min: 10', //                      7
      '    max: 5', //                       8
      '  - kind: regex', //                  9
      '    column: code', //                 10
      '    pattern: "[a-z"', //              11
      '  - kind: not_null', //               12
      '    column: id', //                   13
      '    severity: fatal', //              14
      '    tolerance: lots', //              15
      '  - kind: freshness', //              16
      '    column: ts', //                   17
      '    maxAge: soon', //                 18
    ].join('\n');
    const { rules, problems } = parseRules(text, 'bad.dq.yaml');
    assert.equal(rules, undefined);
    const at = (re: RegExp) => {
      const p = problems.find((x) => re.test(x.message));
      assert.ok(p, `no problem matching ${re}: ${JSON.stringify(problems, null, 1)}`);
      return p;
    };
    assert.equal(at(/`version` must be 1/).line, 0);
    const colour = at(/'colour' is not a known property/);
    assert.deepEqual([colour.line, colour.column, colour.endColumn], [1, 0, 6]);
    const kind = at(/'not_nul' is not a rule kind/);
    assert.deepEqual([kind.line, kind.column, kind.path], [3, 10, 'rules[0].kind']);
    assert.equal(at(/`max` \(5\) is below `min` \(10\)/).line, 8);
    const re = at(/Not a valid regular expression/);
    assert.deepEqual([re.line, re.path], [11, 'rules[2].pattern']);
    assert.equal(at(/`severity` must be 'warn' or 'fail'/).line, 14);
    assert.equal(at(/`tolerance` must be a number of rows/).line, 15);
    assert.equal(at(/`maxAge` must be a duration/).line, 18);
    assert.ok(problems.length >= 8);
    // Sorted by position, 0-based.
    assert.deepEqual([...problems].sort((a, b) => a.line - b.line || a.column - b.column), problems);
  });

  it('reports JSON syntax errors with their position, and problems in JSON files like in YAML ones', () => {
    const broken = parseRules('{\n  "version": 1,\n  "rules": [\n    { "kind": "unique", "column": "id" ]\n}', 'x.dq.json');
    assert.equal(broken.rules, undefined);
    assert.ok(broken.problems.length >= 1);
    assert.match(broken.problems[0].message, /^JSON syntax: /);
    assert.equal(broken.problems[0].line, 3);

    const text = '{\n  "version": 1,\n  "rules": [\n    { "kind": "unique" },\n    { "kind": "accepted_values", "column": "region", "values": [] }\n  ]\n}';
    const { problems } = parseRules(text, 'x.dq.json');
    const unique = problems.find((p) => /needs `column` or `columns`/.test(p.message));
    assert.equal(unique?.line, 3);
    assert.equal(unique?.column, 4);
    const values = problems.find((p) => /`values` must be a non-empty list/.test(p.message));
    assert.deepEqual([values?.line, values?.path], [4, 'rules[1].values']);
  });

  it('duplicate keys, duplicate rule ids and an empty file are problems too', () => {
    const dup = parseRules('version: 1\nversion: 1\nrules:\n  - kind: row_count\n    min: 1\n', 'd.dq.yaml');
    assert.match(dup.problems[0].message, /YAML syntax: .*unique/i);
    assert.equal(dup.problems[0].line, 1);
    const ids = parseRules('version: 1\nrules:\n  - { kind: not_null, column: a }\n  - { kind: not_null, column: a }\n', 'i.dq.yaml');
    assert.match(ids.problems[0].message, /Two rules have the id 'not_null:a'/);
    assert.equal(ids.problems[0].line, 3);
    assert.match(parseRules('', 'e.dq.yaml').problems[0].message, /empty/);
  });

  it('scaffolds a valid rules file from columns, in YAML and JSON', () => {
    const cols = [{ name: 'order_id', type: 'integer' as const }, { name: 'email', type: 'string' as const }, { name: 'updated', type: 'timestamp' as const }];
    for (const format of ['yaml', 'json'] as const) {
      const text = scaffoldRules(cols, format);
      const { rules, problems } = parseRules(text, `s.dq.${format}`);
      assert.deepEqual(problems, []);
      assert.ok(validate(rules), JSON.stringify(validate.errors));
      assert.deepEqual(rules?.rules.map((r) => r.kind), ['schema', 'row_count', 'not_null', 'unique', 'missing_percent', 'missing_percent', 'freshness']);
    }
  });
});
