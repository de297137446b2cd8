// JSON Schemas for the YAML editor, made from ovnlab's CustomResourceDefinitions (deploy/crds):
// each served version's structural openAPIV3Schema becomes a draft-07 JSON Schema for a whole
// object of that apiVersion and kind, and one combined schema picks the right one per YAML
// document by its apiVersion and kind. Pure: parsed manifests in, plain JSON out; the editor
// adapter (src/views/yaml-schemas.ts) hands them to redhat.vscode-yaml.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A JSON Schema node (draft-07), as plain JSON. */
export interface JsonSchema {
  [keyword: string]: unknown;
}

export interface CrdSchema {
  apiVersion: string;
  kind: string;
  /** `ovnlab://schemas/<group>/<version>/<Kind>.json` */
  uri: string;
  schema: JsonSchema;
}

/** The URI scheme the YAML extension routes back to us (the contributor's name). */
export const SCHEMA_SCHEME = 'ovnlab';
export const ALL_SCHEMAS_URI = `${SCHEMA_SCHEME}://schemas/all.json`;
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export function schemaUri(apiVersion: string, kind: string): string {
  return `${SCHEMA_SCHEME}://schemas/${apiVersion}/${kind}.json`;
}

/** Keywords OpenAPI v3 (as Kubernetes uses it) and JSON Schema draft-07 share, copied as they are. */
const PLAIN = ['type', 'description', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'required', 'default', 'title'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One openAPIV3Schema node as JSON Schema: `nullable` becomes a `null` type,
 * `x-kubernetes-int-or-string` an integer-or-string, the other `x-kubernetes-*` extensions go
 * (preserve-unknown-fields is JSON Schema's default anyway), and so does `format` (Kubernetes
 * formats like int32 or cidr are not JSON Schema's and the YAML extension would flag them).
 */
export function toJsonSchema(node: unknown): JsonSchema {
  if (!isObject(node)) return {};
  const out: JsonSchema = {};
  for (const k of PLAIN) if (node[k] !== undefined) out[k] = node[k];
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (isObject(node.properties)) {
    const props: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) props[name] = toJsonSchema(child);
    out.properties = props;
  }
  if (node.items !== undefined) out.items = toJsonSchema(node.items);
  if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
  else if (isObject(node.additionalProperties)) out.additionalProperties = toJsonSchema(node.additionalProperties);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(node[k])) out[k] = (node[k] as unknown[]).map(toJsonSchema);
  }
  if (node.not !== undefined) out.not = toJsonSchema(node.not);
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The schemas of every served version of every CRD given (parsed manifests). Anything that is
 * not a CustomResourceDefinition with a group, a kind and versions is skipped.
 */
export function crdSchemas(manifests: readonly unknown[]): CrdSchema[] {
  const out: CrdSchema[] = [];
  for (const m of manifests) {
    if (!isObject(m) || m.kind !== 'CustomResourceDefinition' || !isObject(m.spec)) continue;
    const group = str(m.spec.group);
    const kind = isObject(m.spec.names) ? str(m.spec.names.kind) : undefined;
    if (!group || !kind || !Array.isArray(m.spec.versions)) continue;
    for (const v of m.spec.versions) {
      if (!isObject(v) || v.served === false) continue;
      const version = str(v.name);
      if (!version) continue;
      const apiVersion = `${group}/${version}`;
      const body = toJsonSchema(isObject(v.schema) ? v.schema.openAPIV3Schema : undefined);
      const props = isObject(body.properties) ? body.properties : {};
      const required = Array.isArray(body.required) ? (body.required as string[]) : [];
      const schema: JsonSchema = {
        $schema: DRAFT_07,
        title: `${kind} (${apiVersion})`,
        description: `${kind} as ovnlab's CustomResourceDefinition ${str(isObject(m.metadata) ? m.metadata.name : undefined) ?? ''} describes it`,
        ...body,
        type: 'object',
        required: ['apiVersion', 'kind', ...required.filter((r) => r !== 'apiVersion' && r !== 'kind')],
        properties: {
          apiVersion: { type: 'string', enum: [apiVersion] },
          kind: { type: 'string', enum: [kind] },
          metadata: { type: 'object' },
          ...props,
        },
      };
      out.push({ apiVersion, kind, uri: schemaUri(apiVersion, kind), schema });
    }
  }
  return out;
}

/** Top-level `apiVersion:` / `kind:` pairs of each document in a YAML text (a cheap line scan). */
export function documentTypes(text: string): { apiVersion?: string; kind?: string }[] {
  const docs: { apiVersion?: string; kind?: string }[] = [{}];
  for (const line of text.split('\n')) {
    if (/^(---|\.\.\.)(\s|$)/.test(line)) {
      docs.push({});
      continue;
    }
    const m = /^(apiVersion|kind):[ \t]*["']?([^"'\s#]+)["']?[ \t]*(#.*)?\r?$/.exec(line);
    if (m) docs[docs.length - 1][m[1] as 'apiVersion' | 'kind'] = m[2];
  }
  return docs.filter((d) => d.apiVersion || d.kind);
}

/** Looks schemas up by type and by URI, and says which one a YAML file should get. */
export class CrdSchemaIndex {
  private readonly byType = new Map<string, CrdSchema>();
  private readonly byUri = new Map<string, CrdSchema>();

  constructor(readonly schemas: readonly CrdSchema[]) {
    for (const s of schemas) {
      this.byType.set(`${s.apiVersion}|${s.kind}`, s);
      this.byUri.set(s.uri, s);
    }
  }

  forType(apiVersion: string, kind: string): CrdSchema | undefined {
    return this.byType.get(`${apiVersion}|${kind}`);
  }

  /**
   * The schema URI for a file: the type's own schema when every typed document in it is of one
   * known type, the combined one when there are several, undefined when none is ours (so other
   * schemas, e.g. Kubernetes' built-in ones, stay in charge of those files).
   */
  uriForText(text: string): string | undefined {
    const known = new Set<string>();
    let foreign = false;
    for (const d of documentTypes(text)) {
      const s = d.apiVersion && d.kind ? this.forType(d.apiVersion, d.kind) : undefined;
      if (s) known.add(s.uri);
      else foreign = true;
    }
    if (known.size === 0) return undefined;
    return known.size === 1 && !foreign ? [...known][0] : ALL_SCHEMAS_URI;
  }

  /** Schema content for a URI uriForText gave; undefined for URIs we never hand out. */
  content(uri: string): JsonSchema | undefined {
    if (uri === ALL_SCHEMAS_URI) return this.combined();
    return this.byUri.get(uri)?.schema;
  }

  /** Every schema at once, each applied to the documents of its apiVersion and kind only. */
  combined(): JsonSchema {
    return {
      $schema: DRAFT_07,
      title: 'ovnlab: Kube-OVN, KubeVirt and Multus resources',
      allOf: this.schemas.map((s) => ({
        if: { properties: { apiVersion: { const: s.apiVersion }, kind: { const: s.kind } }, required: ['apiVersion', 'kind'] },
        then: { $ref: `#/definitions/${definitionName(s)}` },
      })),
      definitions: Object.fromEntries(this.schemas.map((s) => {
        // a definition is a subschema: the dialect is said once, at the top
        const rest: JsonSchema = { ...s.schema };
        delete rest.$schema;
        return [definitionName(s), rest];
      })),
    };
  }
}

function definitionName(s: CrdSchema): string {
  return `${s.apiVersion.replace(/[^\w.-]/g, '_')}_${s.kind}`;
}

/** Parses CRD manifests (YAML texts) to plain objects, keeping the JSON names of their fields. */
export function parseManifests(texts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const t of texts) {
    for (const d of parseAllDocuments(t)) {
      if (d.errors.length > 0) throw new Error(`CRD manifest: ${d.errors[0].message}`);
      const js: unknown = d.toJS();
      if (js) out.push(js);
    }
  }
  return out;
}

/** Reads deploy/crds (or another directory of CRD manifests) into an index. */
export async function loadCrdSchemaIndex(dir: string): Promise<CrdSchemaIndex> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  return new CrdSchemaIndex(crdSchemas(parseManifests(texts)));
}

/**
 * The two callbacks redhat.vscode-yaml's `registerContributor` takes: which schema URI a file
 * gets (undefined: not ours, or not open) and the content behind a URI. `textOf` gives the text
 * of an open document by its URI string.
 */
export function crdSchemaContributor(index: CrdSchemaIndex, textOf: (resource: string) => string | undefined): {
  requestSchema: (resource: string) => string | undefined;
  requestSchemaContent: (uri: string) => string;
} {
  return {
    requestSchema: (resource) => {
      const text = textOf(resource);
      return text === undefined ? undefined : index.uriForText(text);
    },
    // an unknown URI gets the empty schema (accepts anything) rather than an error in the editor
    requestSchemaContent: (uri) => JSON.stringify(index.content(uri) ?? {}),
  };
}
