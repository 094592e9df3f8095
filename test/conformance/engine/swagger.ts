/**
 * Loads swagger 2.0 (OpenAPI 2) documents, resolves `$ref`s (local `#/...` and relative files),
 * indexes operations (paths and x-ms-paths) with their parameters, responses and x-ms-examples,
 * and finds polymorphic subtypes (discriminator / x-ms-discriminator-value).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Schema = Record<string, any>;

/** A schema together with the file its `$ref`s are relative to. */
export interface SchemaAt {
  schema: Schema;
  file: string;
  /** Definition name when the schema is a named definition. */
  name?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  schema?: SchemaAt;
  'x-ms-skip-url-encoding'?: boolean;
  'x-ms-parameter-location'?: string;
}

export interface ResponseSpec {
  schema?: SchemaAt;
  headers?: Record<string, unknown>;
}

export interface Operation {
  operationId: string;
  method: string;
  /** Path template as written (x-ms-paths keys may carry a `?query` part). */
  pathTemplate: string;
  parameters: Parameter[];
  responses: Record<string, ResponseSpec>;
  longRunning: boolean;
  finalStateVia?: string;
  pageable?: { nextLinkName?: string | null; itemName?: string };
  /** Example title -> absolute example file path (from x-ms-examples). */
  examples: Record<string, string>;
  file: string;
}

export class SwaggerSpec {
  private readonly docs = new Map<string, Schema>();
  readonly operations = new Map<string, Operation>();
  private subtypeIndex?: Map<string, SchemaAt[]>;

  constructor(readonly file: string) {
    this.doc(file);
    this.indexOperations();
  }

  static load(file: string): SwaggerSpec {
    return new SwaggerSpec(path.resolve(file));
  }

  get root(): Schema {
    return this.doc(this.file);
  }

  doc(file: string): Schema {
    const abs = path.resolve(file);
    let d = this.docs.get(abs);
    if (!d) {
      d = JSON.parse(fs.readFileSync(abs, 'utf8')) as Schema;
      this.docs.set(abs, d);
      this.subtypeIndex = undefined;
    }
    return d;
  }

  /** Resolves `ref` (e.g. `#/definitions/X`, `./other.json#/definitions/Y`) relative to `fromFile`. */
  resolveRef(ref: string, fromFile: string): SchemaAt {
    const [filePart, pointer = ''] = ref.split('#');
    const file = filePart ? path.resolve(path.dirname(fromFile), filePart) : fromFile;
    let node: any = this.doc(file);
    const parts = pointer.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    for (const p of parts) {
      if (node === undefined || node === null) break;
      node = node[decodeURIComponent(p)];
    }
    if (node === undefined) throw new Error(`Cannot resolve $ref '${ref}' from ${fromFile}`);
    const name = parts.length === 2 && parts[0] === 'definitions' ? parts[1] : undefined;
    return { schema: node as Schema, file, name };
  }

  /** Follows `$ref` chains until a concrete schema. */
  deref(s: SchemaAt): SchemaAt {
    let cur = s;
    for (let i = 0; i < 50 && typeof cur.schema.$ref === 'string'; i++) cur = this.resolveRef(cur.schema.$ref, cur.file);
    return cur;
  }

  private resolveParameter(p: Schema, file: string): Parameter {
    const at = p.$ref ? this.resolveRef(p.$ref, file) : { schema: p, file };
    const raw = at.schema;
    return {
      ...(raw as Parameter),
      schema: raw.schema ? { schema: raw.schema as Schema, file: at.file } : undefined,
    };
  }

  private indexOperations(): void {
    const root = this.root;
    const all: [string, Schema][] = [...Object.entries((root.paths ?? {}) as Record<string, Schema>), ...Object.entries((root['x-ms-paths'] ?? {}) as Record<string, Schema>)];
    for (const [p, item] of all) {
      const shared = ((item.parameters ?? []) as Schema[]).map((x) => this.resolveParameter(x, this.file));
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
        const o = op as Schema;
        const own = ((o.parameters ?? []) as Schema[]).map((x) => this.resolveParameter(x, this.file));
        const params = [...shared.filter((s) => !own.some((x) => x.name === s.name && x.in === s.in)), ...own];
        const responses: Record<string, ResponseSpec> = {};
        for (const [code, r] of Object.entries((o.responses ?? {}) as Record<string, Schema>)) {
          const at = r.$ref ? this.resolveRef(r.$ref, this.file) : { schema: r, file: this.file };
          responses[code] = { schema: at.schema.schema ? { schema: at.schema.schema as Schema, file: at.file } : undefined, headers: at.schema.headers as Record<string, unknown> | undefined };
        }
        const examples: Record<string, string> = {};
        for (const [title, ex] of Object.entries((o['x-ms-examples'] ?? {}) as Record<string, Schema>)) {
          if (typeof ex.$ref === 'string') examples[title] = path.resolve(path.dirname(this.file), ex.$ref);
        }
        const pageable = o['x-ms-pageable'] as Operation['pageable'] | undefined;
        this.operations.set(String(o.operationId), {
          operationId: String(o.operationId),
          method: method.toUpperCase(),
          pathTemplate: p,
          parameters: params,
          responses,
          longRunning: o['x-ms-long-running-operation'] === true,
          finalStateVia: (o['x-ms-long-running-operation-options'] as Schema | undefined)?.['final-state-via'] as string | undefined,
          pageable,
          examples,
          file: this.file,
        });
      }
    }
  }

  /** The operation whose x-ms-examples reference `exampleFileName` (base name compare). */
  operationForExample(exampleFileName: string): { operation: Operation; title: string } | undefined {
    const base = path.basename(exampleFileName).toLowerCase();
    for (const op of this.operations.values()) {
      for (const [title, f] of Object.entries(op.examples)) {
        if (path.basename(f).toLowerCase() === base) return { operation: op, title };
      }
    }
    return undefined;
  }

  /** Every example file referenced by the spec (absolute paths as the spec names them). */
  referencedExamples(): { file: string; operationId: string; title: string }[] {
    const out: { file: string; operationId: string; title: string }[] = [];
    for (const op of this.operations.values()) for (const [title, file] of Object.entries(op.examples)) out.push({ file, operationId: op.operationId, title });
    return out;
  }

  /** Named definitions that extend `base` (directly or not) through allOf, across loaded documents. */
  subtypesOf(base: SchemaAt): SchemaAt[] {
    if (!this.subtypeIndex) {
      this.subtypeIndex = new Map();
      for (const [file, doc] of this.docs) {
        for (const [name, def] of Object.entries((doc.definitions ?? {}) as Record<string, Schema>)) {
          for (const parent of (def.allOf ?? []) as Schema[]) {
            if (typeof parent.$ref !== 'string') continue;
            const p = this.resolveRef(parent.$ref, file);
            const k = `${p.file}#${p.name ?? ''}`;
            const list = this.subtypeIndex.get(k) ?? [];
            list.push({ schema: def, file, name });
            this.subtypeIndex.set(k, list);
          }
        }
      }
    }
    const out: SchemaAt[] = [];
    const seen = new Set<string>();
    const walk = (s: SchemaAt) => {
      for (const child of this.subtypeIndex!.get(`${s.file}#${s.name ?? ''}`) ?? []) {
        const k = `${child.file}#${child.name}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(child);
        walk(child);
      }
    };
    walk(base);
    return out;
  }
}
