/**
 * The plan's `governance.quality` (rules files for the share and per dataset, relative to the plan
 * file): checked with the plan, each rules file read and parsed then, so a bad rules file stops a
 * run before anything changes. Kept apart from the engine so parsing a plan loads only the rules
 * parser.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecipeEnv } from '../env';
import { UserFacingError } from '../errors';
import type { DataSetPlan, RecipePlan } from '../plan';
import { formatRuleProblems, parseRules, type RuleSet } from './rules';

export interface QualityPlan {
  /** Rules file for every dataset of the share (relative to the plan file). */
  rules?: string;
  /** Rules file per dataset name (wins over `rules`). */
  datasets?: Record<string, string>;
}

export interface LoadedRules {
  file: string;
  rules: RuleSet;
}

/** Rules loaded at plan time, by plan object. */
const loaded = new WeakMap<object, Map<string, LoadedRules>>();

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks `governance.quality` of a plan (its shape, and, with `baseDir`, each rules file read and
 * parsed); returns problems as [field, message]. Loaded rules are kept for the gate.
 */
export function checkQualityPlan(planJson: object, quality: unknown, datasetNames: readonly string[], baseDir?: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const where = 'governance.quality';
  if (!obj(quality)) return [[where, 'must be an object ({ rules?, datasets? }).']];
  for (const k of Object.keys(quality)) if (k !== 'rules' && k !== 'datasets') out.push([`${where}.${k}`, 'is not a known property (rules, datasets).']);
  const files: Array<[string, string]> = [];
  if (quality.rules !== undefined) {
    if (typeof quality.rules !== 'string' || !quality.rules.trim()) out.push([`${where}.rules`, 'must be the path of a rules file (relative to the plan).']);
    else files.push([`${where}.rules`, quality.rules]);
  }
  if (quality.datasets !== undefined) {
    if (!obj(quality.datasets)) out.push([`${where}.datasets`, 'must map dataset names to rules files.']);
    else {
      for (const [name, file] of Object.entries(quality.datasets)) {
        if (!datasetNames.includes(name)) out.push([`${where}.datasets.${name}`, `names no dataset of the share (${datasetNames.join(', ') || 'none'}).`]);
        if (typeof file !== 'string' || !file.trim()) out.push([`${where}.datasets.${name}`, 'must be the path of a rules file (relative to the plan).']);
        else files.push([`${where}.datasets.${name}`, file]);
      }
    }
  }
  if (quality.rules === undefined && quality.datasets === undefined) out.push([where, 'names no rules file: give `rules` (the whole share) or `datasets`.']);
  if (baseDir === undefined) return out;
  const cache = new Map<string, LoadedRules>();
  for (const [field, file] of files) {
    const full = path.resolve(baseDir, file);
    let text: string;
    try {
      text = fs.readFileSync(full, 'utf8');
    } catch (e) {
      out.push([field, `cannot read the rules file ${full}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`]);
      continue;
    }
    const parsed = parseRules(text, full);
    if (!parsed.rules) out.push([field, `the rules file has ${parsed.problems.length} problem(s):\n    ${formatRuleProblems(file, parsed.problems).split('\n').join('\n    ')}`]);
    else cache.set(file, { file: full, rules: parsed.rules });
  }
  loaded.set(planJson, cache);
  return out;
}

/** The rules file of a dataset (its own, else the share's), or undefined when it has none. */
export function rulesFileFor(plan: RecipePlan, d: DataSetPlan): string | undefined {
  const q = plan.governance?.quality;
  return q?.datasets?.[d.name] ?? q?.rules;
}

/** Rules of a dataset: as loaded with the plan, else read now from the plan's folder. */
export function rulesFor(env: RecipeEnv, d: DataSetPlan): LoadedRules | undefined {
  const file = rulesFileFor(env.plan, d);
  if (!file) return undefined;
  const cached = loaded.get(env.plan)?.get(file);
  if (cached) return cached;
  const full = path.resolve(env.baseDir, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new UserFacingError(`Cannot read the data-quality rules ${full}: ${(e as Error).message}`, 'Fix governance.quality in the plan (paths are relative to the plan file), then run again.');
  }
  const parsed = parseRules(text, full);
  if (!parsed.rules) throw new UserFacingError(`The data-quality rules ${file} are not valid:\n${formatRuleProblems(file, parsed.problems)}`, 'Correct the rules file, then run again; nothing was changed.');
  const entry = { file: full, rules: parsed.rules };
  const map = loaded.get(env.plan) ?? new Map<string, LoadedRules>();
  map.set(file, entry);
  loaded.set(env.plan, map);
  return entry;
}
