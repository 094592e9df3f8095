/**
 * Builds an `ExampleSuite` for one ARM swagger folder of `test/conformance/specs/arm` from a table
 * of per-example setups. Every replayed example needs a setup (a missing one fails its test with
 * a pointer here); examples that are not replayed are listed in not-served.json instead.
 */
import * as path from 'node:path';
import { type CasePlan, type ExampleSuite, type ReplayCase, type ReplayTarget, defaultOrder } from '../engine/replay';
import { type ArmWorld, armSpecsRoot, armWorld, notServedFile } from './world';

export type Setup = (c: ReplayCase, w: ArmWorld) => Promise<CasePlan>;

export interface ArmSuiteOptions {
  /** Key in not-served.json, e.g. `arm-storage`. */
  name: string;
  /** Folder under specs/arm holding the swagger(s) and `examples/`. */
  folder: string;
  /** Swagger file names in the folder: the first is the main one. */
  specs: string[];
  apiVersion: string;
  setups: Record<string, Setup>;
  order?: (c: ReplayCase) => number;
  /** Response properties Azure returns but the swagger does not declare, by JSON path, with the reason. */
  undeclared?: Record<string, string>;
}

export function armSuite(o: ArmSuiteOptions): ExampleSuite<ArmWorld> {
  const dir = path.join(armSpecsRoot(), o.folder);
  return {
    name: o.name,
    specFile: path.join(dir, o.specs[0]),
    extraSpecFiles: o.specs.slice(1).map((s) => path.join(dir, s)),
    examplesDir: path.join(dir, 'examples'),
    apiVersion: o.apiVersion,
    undeclared: o.undeclared,
    notServedFile: notServedFile(),
    createWorld: (target: ReplayTarget) => armWorld(target),
    order: o.order ?? defaultOrder,
    setup: (c, w) => {
      const s = o.setups[c.name];
      if (!s) throw new Error(`no setup for ${c.name}: add one to test/conformance/arm/${o.folder}.ts, or list the example in not-served.json with a reason`);
      return s(c, w);
    },
  };
}
