/**
 * Loads swagger 2.0 (OpenAPI 2) documents, resolves `$ref`s (local `#/...` and relative files),
 * indexes operations (paths and x-ms-paths) with their parameters, responses and x-ms-examples,
 * and finds polymorphic subtypes (discriminator / x-ms-discriminator-value).
 *
 * External references:
 *  - a `.../common-types/<rest>` file that is not at its relative place (the specs are copied
 *    without the upstream folder depth) is looked up as `common-types/<rest>` in the spec's folder
 *    or any folder above it;
 *  - a file that cannot be found at all resolves to the empty schema ("any") and is recorded in
 *    `unresolvedRefs`; `missingExternalFiles()` lists every such file a spec can reach, so a suite
 *    can insist that each one is documented.
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
  /** Set when the schema stands for an external `$ref` whose file is not available (validated as "any"). */
  unresolved?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  schema?: SchemaAt;
  'x-ms-skip-url-encoding'?: boolean;
  'x-ms-parameter-location'?: string;
  /** The `$ref` when the parameter points into a file that is not available (the parameter is inert). */
  unresolved?: string;
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
  /** External `$ref`s met so far whose file is not available (treated as "any"). */
  readonly unresolvedRefs = new Set<string>();
  /** The swagger files whose operations are indexed: `file` first, then the extra ones. */
  readonly roots: string[];
  private subtypeIndex?: Map<string, SchemaAt[]>;

  /** `extraFiles`: more swagger files of the same service (e.g. Storage's blob.json next to storage.json). */
  constructor(
    readonly file: string,
    extraFiles: string[] = [],
  ) {
    this.roots = [file, ...extraFiles.map((f) => path.resolve(f))];
    for (const root of this.roots) {
      this.doc(root);
      this.indexOperations(root);
    }
  }

  static load(file: string, extraFiles: string[] = []): SwaggerSpec {
    return new SwaggerSpec(path.resolve(file), extraFiles);
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

  /**
   * Where the file of an external `$ref` is: at its relative place, else (for common-types) in a
   * `common-types` folder next to the spec or above it; undefined when it is nowhere.
   */
  locate(filePart: string, fromFile: string): string | undefined {
    const direct = path.resolve(path.dirname(fromFile), filePart);
    if (fs.existsSync(direct)) return direct;
    const m = /(?:^|\/)common-types\/(.+)$/.exec(filePart.replace(/\\/g, '/'));
    if (!m) return undefined;
    for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'common-types', m[1]);
      if (fs.existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) return undefined;
    }
  }

  /** Resolves `ref` (e.g. `#/definitions/X`, `./other.json#/definitions/Y`) relative to `fromFile`. */
  resolveRef(ref: string, fromFile: string): SchemaAt {
    const [filePart, pointer = ''] = ref.split('#');
    const file = filePart ? this.locate(filePart, fromFile) : fromFile;
    if (!file) {
      this.unresolvedRefs.add(ref);
      return { schema: {}, file: fromFile, unresolved: ref };
    }
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
    const at: SchemaAt = p.$ref ? this.resolveRef(p.$ref, file) : { schema: p, file };
    const raw = at.schema;
    return {
      ...(raw as Parameter),
      schema: raw.schema ? { schema: raw.schema as Schema, file: at.file } : undefined,
      ...(at.unresolved ? { unresolved: at.unresolved } : {}),
    };
  }

  private indexOperations(rootFile: string): void {
    const root = this.doc(rootFile);
    const all: [string, Schema][] = [...Object.entries((root.paths ?? {}) as Record<string, Schema>), ...Object.entries((root['x-ms-paths'] ?? {}) as Record<string, Schema>)];
    for (const [p, item] of all) {
      const shared = ((item.parameters ?? []) as Schema[]).map((x) => this.resolveParameter(x, rootFile));
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
        const o = op as Schema;
        const own = ((o.parameters ?? []) as Schema[]).map((x) => this.resolveParameter(x, rootFile));
        const params = [...shared.filter((s) => !own.some((x) => x.name === s.name && x.in === s.in)), ...own];
        const responses: Record<string, ResponseSpec> = {};
        for (const [code, r] of Object.entries((o.responses ?? {}) as Record<string, Schema>)) {
          const at = r.$ref ? this.resolveRef(r.$ref, rootFile) : { schema: r, file: rootFile };
          responses[code] = { schema: at.schema.schema ? { schema: at.schema.schema as Schema, file: at.file } : undefined, headers: at.schema.headers as Record<string, unknown> | undefined };
        }
        const examples: Record<string, string> = {};
        for (const [title, ex] of Object.entries((o['x-ms-examples'] ?? {}) as Record<string, Schema>)) {
          if (typeof ex.$ref === 'string') examples[title] = path.resolve(path.dirname(rootFile), ex.$ref);
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
          file: rootFile,
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

  /**
   * Every external file the roots reach through `$ref`s (x-ms-examples aside) that is not
   * available, as `{ref, from}` (the `$ref`'s file part and the file that names it), deduplicated
   * by the file it would be.
   */
  missingExternalFiles(): { ref: string; from: string }[] {
    const missing = new Map<string, { ref: string; from: string }>();
    const seen = new Set<string>();
    const queue = [...this.roots];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const refs = new Set<string>();
      const walk = (node: unknown, key?: string): void => {
        if (key === 'x-ms-examples' || node === null || typeof node !== 'object') return;
        if (Array.isArray(node)) return node.forEach((n) => walk(n));
        for (const [k, v] of Object.entries(node as Schema)) {
          if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) refs.add(v.split('#')[0]);
          else walk(v, k);
        }
      };
      walk(this.doc(file));
      for (const ref of refs) {
        const found = this.locate(ref, file);
        if (found) queue.push(found);
        else {
          const key = path.resolve(path.dirname(file), ref);
          if (!missing.has(key)) missing.set(key, { ref, from: file });
        }
      }
    }
    return [...missing.values()];
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
