/**
 * Compares an actual response body with an example's body by SHAPE: the same keys with the same
 * JSON value types, recursively. Values (ids, names, GUIDs, times, counts) may differ.
 *
 * Rules:
 *  - Every key of the example must be present in the actual body (a missing key is a difference).
 *  - Keys the actual body has beyond the example are reported as `extra` (not differences): the
 *    swagger validation decides whether they are allowed.
 *  - `null` carries no type: a null on either side matches any scalar (an example `null` also
 *    matches an object or array).
 *  - Arrays are compared by the shape of their first element; an empty actual array where the
 *    example has elements is a difference (the replay setup must create what the example lists).
 *  - Where the schema says the object is a map (`additionalProperties` and no `properties`, e.g.
 *    `tags`), its keys are data: only the value types are compared (a key the example also has is
 *    compared with that key's value, so maps of mixed value types such as Atlas `attributes` work;
 *    in a free-form map (`additionalProperties: {}`) keys the example lacks are not compared).
 */
import { jsonPath, jsonType, type Validator } from './validate';
import type { SchemaAt } from './swagger';

export interface ShapeResult {
  differences: { path: string; message: string }[];
  extra: string[];
}

export function compareShape(expected: unknown, actual: unknown, validator?: Validator, schema?: SchemaAt): ShapeResult {
  const out: ShapeResult = { differences: [], extra: [] };
  walk(expected, actual, '$', out, validator, schema);
  return out;
}

function childSchema(validator: Validator | undefined, schema: SchemaAt | undefined, value: unknown, key: string | number): SchemaAt | undefined {
  if (!validator || !schema) return undefined;
  const sel = validator.selectSubtype(schema, value);
  const flat = validator.flatten(sel);
  if (typeof key === 'number') return flat.items;
  const prop = flat.properties.get(key);
  if (prop) return prop.at;
  return typeof flat.additionalProperties === 'object' ? flat.additionalProperties : undefined;
}

function isMap(validator: Validator | undefined, schema: SchemaAt | undefined, value: unknown): boolean {
  if (!validator || !schema) return false;
  const flat = validator.flatten(validator.selectSubtype(schema, value));
  return flat.properties.size === 0 && typeof flat.additionalProperties === 'object';
}

function walk(expected: unknown, actual: unknown, path: string, out: ShapeResult, validator?: Validator, schema?: SchemaAt): void {
  const et = jsonType(expected);
  const at = jsonType(actual);
  if (et === 'null' || et === 'undefined') return;
  if (at === 'null' && et !== 'object' && et !== 'array') return;
  if (et !== at) {
    out.differences.push({ path, message: `the example has ${et}${et === 'string' || et === 'number' || et === 'boolean' ? ` ${JSON.stringify(expected)}` : ''}, the response has ${at}` });
    return;
  }
  if (et === 'array') {
    const e = expected as unknown[];
    const a = actual as unknown[];
    if (e.length === 0) return;
    if (a.length === 0) {
      out.differences.push({ path, message: `the example lists ${e.length} element(s), the response none (the setup should create what the example lists)` });
      return;
    }
    walk(e[0], a[0], jsonPath(path, 0), out, validator, childSchema(validator, schema, a, 0));
    return;
  }
  if (et === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    if (isMap(validator, schema, a)) {
      // A key the example also has is compared with the example's own value (free-form maps such as
      // Atlas `attributes` mix value types); other keys with the example's first value.
      const sample = Object.values(e).find((v) => v !== null && v !== undefined);
      for (const [k, v] of Object.entries(a)) {
        const valueSchema = childSchema(validator, schema, a, k);
        const freeForm = !valueSchema || Object.keys(valueSchema.schema ?? {}).length === 0;
        const model = k in e ? e[k] : freeForm ? undefined : sample;
        if (model !== undefined) walk(model, v, jsonPath(path, k), out, validator, valueSchema);
      }
      return;
    }
    for (const [k, v] of Object.entries(e)) {
      if (!(k in a) || a[k] === undefined) {
        out.differences.push({ path: jsonPath(path, k), message: `key '${k}' is in the example but missing from the response` });
        continue;
      }
      walk(v, a[k], jsonPath(path, k), out, validator, childSchema(validator, schema, a, k));
    }
    for (const k of Object.keys(a)) if (!(k in e)) out.extra.push(jsonPath(path, k));
  }
}
