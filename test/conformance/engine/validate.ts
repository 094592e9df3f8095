/**
 * A small JSON-schema validator for swagger 2.0 schemas (no ajv): types, required, enums (lenient
 * for x-ms-enum modelAsString), allOf, discriminator / x-ms-discriminator-value polymorphism,
 * additionalProperties, readOnly (rejected in requests, not required there), x-nullable, and the
 * date-time / uuid / int32 / int64 formats (leniently). Every problem carries a JSON path.
 *
 * Choices, stated once:
 *  - A property the schema does not declare is an error unless `allowUndeclared` (catches typos in
 *    providers; swagger objects are "open" in theory, but ARM responses are not).
 *  - `null` is accepted for a property that is not required unless it says `x-nullable: false`
 *    (what autorest/oav do), and anywhere the schema says `x-nullable: true`.
 */
import { type Schema, type SchemaAt, type SwaggerSpec } from './swagger';

export interface Issue {
  path: string;
  message: string;
}

export interface ValidateOptions {
  mode: 'request' | 'response';
  allowUndeclared?: boolean;
}

interface FlatProperty {
  at: SchemaAt;
  readOnly: boolean;
  nullable?: boolean;
}

interface Flat {
  properties: Map<string, FlatProperty>;
  required: Set<string>;
  additionalProperties?: SchemaAt | boolean;
  discriminator?: string;
  type?: string;
  enumValues?: unknown[];
  modelAsString: boolean;
  format?: string;
  items?: SchemaAt;
  nullable?: boolean;
  objectLike: boolean;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function jsonPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}['${key.replace(/'/g, "\\'")}']`;
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export class Validator {
  private readonly cache = new WeakMap<Schema, Flat>();

  constructor(readonly spec: SwaggerSpec) {}

  validate(at: SchemaAt, value: unknown, opts: ValidateOptions, path = '$'): Issue[] {
    const issues: Issue[] = [];
    this.check(at, value, path, issues, opts, false);
    return issues;
  }

  /** The merged view of a schema (own keywords + allOf parents), `$ref`s followed. */
  flatten(input: SchemaAt): Flat {
    const at = this.spec.deref(input);
    const cached = this.cache.get(at.schema);
    if (cached) return cached;
    const s = at.schema;
    const flat: Flat = { properties: new Map(), required: new Set(), modelAsString: false, objectLike: false };
    this.cache.set(s, flat);
    for (const parent of (s.allOf ?? []) as Schema[]) {
      const pf = this.flatten({ schema: parent, file: at.file });
      for (const [k, v] of pf.properties) flat.properties.set(k, v);
      for (const r of pf.required) flat.required.add(r);
      flat.discriminator ??= pf.discriminator;
      flat.additionalProperties ??= pf.additionalProperties;
      if (pf.type && pf.type !== 'object') flat.type ??= pf.type;
      flat.objectLike ||= pf.objectLike;
    }
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      flat.properties.set(k, { at: { schema: v, file: at.file }, readOnly: v.readOnly === true, nullable: v['x-nullable'] as boolean | undefined });
    }
    for (const r of (s.required ?? []) as string[]) flat.required.add(r);
    if (typeof s.discriminator === 'string') flat.discriminator = s.discriminator;
    if (s.additionalProperties !== undefined) {
      flat.additionalProperties = typeof s.additionalProperties === 'boolean' ? s.additionalProperties : { schema: s.additionalProperties as Schema, file: at.file };
    }
    if (typeof s.type === 'string') flat.type = s.type;
    if (Array.isArray(s.enum)) flat.enumValues = s.enum as unknown[];
    flat.modelAsString = (s['x-ms-enum'] as Schema | undefined)?.modelAsString === true;
    if (typeof s.format === 'string') flat.format = s.format;
    if (s.items) flat.items = { schema: s.items as Schema, file: at.file };
    if (typeof s['x-nullable'] === 'boolean') flat.nullable = s['x-nullable'] as boolean;
    flat.objectLike ||= flat.type === 'object' || flat.properties.size > 0 || flat.additionalProperties !== undefined || flat.discriminator !== undefined;
    if (!flat.type && flat.objectLike) flat.type = 'object';
    return flat;
  }

  /** The polymorphic subtype `value` selects through the discriminator, if any. */
  selectSubtype(input: SchemaAt, value: unknown): SchemaAt {
    const at = this.spec.deref(input);
    const flat = this.flatten(at);
    if (!flat.discriminator || value === null || typeof value !== 'object' || Array.isArray(value)) return at;
    const dv = (value as Record<string, unknown>)[flat.discriminator];
    if (typeof dv !== 'string') return at;
    const own = (at.schema['x-ms-discriminator-value'] as string | undefined) ?? at.name;
    if (own === dv) return at;
    const found = this.spec.subtypesOf(at).find((s) => ((s.schema['x-ms-discriminator-value'] as string | undefined) ?? s.name) === dv);
    return found ?? at;
  }

  private check(input: SchemaAt, value: unknown, path: string, issues: Issue[], opts: ValidateOptions, nullableHere: boolean): void {
    let at = this.spec.deref(input);
    let flat = this.flatten(at);
    if (value === null) {
      if (flat.nullable === true || (nullableHere && flat.nullable !== false)) return;
      issues.push({ path, message: `is null, but the schema${at.name ? ` (${at.name})` : ''} does not allow null` });
      return;
    }
    if (flat.discriminator && typeof value === 'object' && !Array.isArray(value)) {
      const dv = (value as Record<string, unknown>)[flat.discriminator];
      const sub = this.selectSubtype(at, value);
      if (sub.schema !== at.schema) {
        at = sub;
        flat = this.flatten(at);
      } else if (typeof dv === 'string') {
        const own = (at.schema['x-ms-discriminator-value'] as string | undefined) ?? at.name;
        const known = this.spec.subtypesOf(at).map((s) => (s.schema['x-ms-discriminator-value'] as string | undefined) ?? s.name);
        if (dv !== own && !known.includes(dv) && !(this.flatten(flat.properties.get(flat.discriminator)?.at ?? at).modelAsString)) {
          issues.push({ path: jsonPath(path, flat.discriminator), message: `'${dv}' selects no subtype of ${at.name ?? 'the schema'} (known: ${[own, ...known].filter(Boolean).join(', ')})` });
        }
      }
    }
    const t = flat.type;
    switch (t) {
      case 'object':
        if (jsonType(value) !== 'object') {
          issues.push({ path, message: `expected an object${at.name ? ` (${at.name})` : ''}, got ${jsonType(value)}` });
          return;
        }
        this.checkObject(flat, at, value as Record<string, unknown>, path, issues, opts);
        return;
      case 'array':
        if (!Array.isArray(value)) {
          issues.push({ path, message: `expected an array, got ${jsonType(value)}` });
          return;
        }
        if (flat.items) value.forEach((v, i) => this.check(flat.items!, v, jsonPath(path, i), issues, opts, false));
        return;
      case 'string':
        if (typeof value !== 'string') {
          issues.push({ path, message: `expected a string, got ${jsonType(value)}` });
          return;
        }
        this.checkEnum(flat, value, path, issues);
        if (flat.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
          issues.push({ path, message: `'${value}' is not a date-time (ISO 8601)` });
        }
        if (flat.format === 'uuid' && !UUID.test(value)) issues.push({ path, message: `'${value}' is not a uuid` });
        return;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          issues.push({ path, message: `expected an integer, got ${jsonType(value)} ${JSON.stringify(value)}` });
          return;
        }
        if (flat.format === 'int32' && (value > 2147483647 || value < -2147483648)) issues.push({ path, message: `${value} does not fit int32` });
        this.checkEnum(flat, value, path, issues);
        return;
      case 'number':
        if (typeof value !== 'number') issues.push({ path, message: `expected a number, got ${jsonType(value)}` });
        return;
      case 'boolean':
        if (typeof value !== 'boolean') issues.push({ path, message: `expected a boolean, got ${jsonType(value)}` });
        return;
      default:
        return; // no type: anything goes
    }
  }

  private checkEnum(flat: Flat, value: unknown, path: string, issues: Issue[]): void {
    if (!flat.enumValues || flat.enumValues.includes(value) || flat.modelAsString) return;
    issues.push({ path, message: `${JSON.stringify(value)} is not one of ${flat.enumValues.map((e) => JSON.stringify(e)).join(', ')}` });
  }

  private checkObject(flat: Flat, at: SchemaAt, value: Record<string, unknown>, path: string, issues: Issue[], opts: ValidateOptions): void {
    for (const r of flat.required) {
      if (value[r] !== undefined) continue;
      const prop = flat.properties.get(r);
      if (opts.mode === 'request' && prop?.readOnly) continue;
      issues.push({ path: jsonPath(path, r), message: `required property '${r}' is missing${at.name ? ` (${at.name})` : ''}` });
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const prop = flat.properties.get(k);
      const p = jsonPath(path, k);
      if (prop) {
        if (opts.mode === 'request' && prop.readOnly) {
          issues.push({ path: p, message: `'${k}' is read-only and must not be sent in a request` });
          continue;
        }
        const nullable = prop.nullable !== false && !flat.required.has(k);
        this.check(prop.at, v, p, issues, opts, nullable);
      } else if (flat.additionalProperties !== undefined && typeof flat.additionalProperties === 'object') {
        this.check(flat.additionalProperties, v, p, issues, opts, true);
      } else if (flat.additionalProperties === false || !opts.allowUndeclared) {
        if (flat.additionalProperties === true) continue;
        issues.push({ path: p, message: `property '${k}' is not declared by ${at.name ?? 'the schema'}` });
      }
    }
  }
}
