// The JSON Schemas the YAML editor gets from deploy/crds: which schema a file gets, that each one is
// a valid draft-07 schema holding the CRD's fields, and that it accepts what the API server
// accepts and refuses what it refuses (checked with Ajv, a JSON Schema validator).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { ALL_SCHEMAS_URI, CrdSchemaIndex, crdSchemaContributor, crdSchemas, documentTypes, loadCrdSchemaIndex, SCHEMA_SCHEME, schemaUri, toJsonSchema, type JsonSchema } from '../../../src/k8s/crd-schemas';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CRDS = join(root, 'deploy/crds');

type Props = Record<string, JsonSchema>;
const props = (s: JsonSchema | undefined): Props => (s?.properties ?? {}) as Props;

function validator(schema: JsonSchema): (doc: unknown) => string[] {
  // strict: an unknown keyword (an x-kubernetes-* left behind) or format fails the compile
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

function docs(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown).filter(Boolean);
}

describe('CRD schemas for the YAML editor', () => {
  let index: CrdSchemaIndex;
  before(async () => {
    index = await loadCrdSchemaIndex(CRDS);
  });

  test('one schema per served version of every CRD in deploy/crds', () => {
    const kinds = index.schemas.map((s) => `${s.apiVersion} ${s.kind}`);
    for (const k of ['kubevirt.io/v1 VirtualMachine', 'kubevirt.io/v1 VirtualMachineInstance', 'kubeovn.io/v1 Subnet', 'kubeovn.io/v1 Vpc', 'kubeovn.io/v1 IP', 'kubeovn.io/v1 OvnEip', 'kubeovn.io/v1 OvnFip', 'k8s.cni.cncf.io/v1 NetworkAttachmentDefinition']) {
      assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
    }
    assert.equal(new Set(kinds).size, kinds.length);
    assert.equal(index.forType('kubevirt.io/v1', 'VirtualMachine')?.uri, schemaUri('kubevirt.io/v1', 'VirtualMachine'));
    assert.equal(index.forType('kubevirt.io/v1alpha3', 'VirtualMachine'), undefined, 'our CRD serves v1 only');
    assert.equal(index.forType('v1', 'ConfigMap'), undefined);
  });

  test('a schema holds the CRD\'s fields: VM runStrategy and template annotations, Subnet cidrBlock', () => {
    const vm = index.forType('kubevirt.io/v1', 'VirtualMachine')!.schema;
    assert.deepEqual(props(vm).kind.enum, ['VirtualMachine']);
    assert.deepEqual(props(vm).apiVersion.enum, ['kubevirt.io/v1']);
    const spec = props(props(vm).spec);
    assert.ok((spec.runStrategy.enum as string[]).includes('Always'));
    const ann = props(props(props(spec.template).metadata).annotations);
    assert.deepEqual(ann, {});
    assert.deepEqual((props(props(spec.template).metadata).annotations as JsonSchema).additionalProperties, { type: 'string' });
    const subnet = index.forType('kubeovn.io/v1', 'Subnet')!.schema;
    assert.ok((subnet.required as string[]).includes('spec'));
    assert.match(String(props(props(subnet).spec).cidrBlock.pattern), /\//);
    const text = JSON.stringify(index.schemas);
    assert.doesNotMatch(text, /x-kubernetes|"nullable"|"format"/, 'Kubernetes-only keywords are gone');
  });

  test('which schema a file gets: its type\'s, the combined one for mixed files, none when nothing is ours', () => {
    const vm = readFileSync(join(root, 'test/fixtures/vm-yaml/02-pinned-ok.yaml'), 'utf8');
    assert.equal(index.uriForText(vm), schemaUri('kubevirt.io/v1', 'VirtualMachine'));
    const subnet = 'apiVersion: kubeovn.io/v1\nkind: Subnet\nmetadata: {name: s}\nspec: {cidrBlock: 10.0.0.0/24}\n';
    assert.equal(index.uriForText(`${vm}\n---\n${subnet}`), ALL_SCHEMAS_URI);
    assert.equal(index.uriForText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'), undefined);
    assert.equal(index.uriForText(`apiVersion: v1\nkind: ConfigMap\n---\n${subnet}`), ALL_SCHEMAS_URI);
    assert.equal(index.uriForText('name: not kubernetes\n'), undefined);
    assert.deepEqual(index.content(ALL_SCHEMAS_URI), index.combined());
    assert.equal(index.content(schemaUri('kubeovn.io/v1', 'Subnet')), index.forType('kubeovn.io/v1', 'Subnet')!.schema);
    assert.equal(index.content('ovnlab://schemas/nope.json'), undefined);
    assert.deepEqual(documentTypes('apiVersion: "kubeovn.io/v1"  # x\nkind: Vpc\r\n  kind: nested\n'), [{ apiVersion: 'kubeovn.io/v1', kind: 'Vpc' }]);
  });

  test('every schema compiles as draft-07 and judges documents as the API server would', () => {
    for (const s of index.schemas) validator(s.schema);
    const vmCheck = validator(index.forType('kubevirt.io/v1', 'VirtualMachine')!.schema);
    for (const f of ['02-pinned-ok.yaml', '03-multi-doc.yaml', '07-multus.yaml']) {
      for (const d of docs(readFileSync(join(root, 'test/fixtures/vm-yaml', f), 'utf8'))) {
        if ((d as { kind?: string }).kind !== 'VirtualMachine' || (d as { apiVersion?: string }).apiVersion !== 'kubevirt.io/v1') continue;
        assert.deepEqual(vmCheck(d), [], f);
      }
    }
    const bad = docs('apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: x}\nspec:\n  runStrategy: Sometimes\n  template: {}\n')[0];
    assert.ok(vmCheck(bad).some((e) => e.startsWith('/spec/runStrategy')), vmCheck(bad).join('; '));
    const subnetCheck = validator(index.forType('kubeovn.io/v1', 'Subnet')!.schema);
    assert.deepEqual(subnetCheck(docs('apiVersion: kubeovn.io/v1\nkind: Subnet\nmetadata: {name: s}\nspec: {cidrBlock: "10.0.0.0/24,fd00::/64", excludeIps: [10.0.0.1]}\n')[0]), []);
    assert.ok(subnetCheck(docs('apiVersion: kubeovn.io/v1\nkind: Subnet\nmetadata: {name: s}\nspec: {cidrBlock: not-a-cidr}\n')[0]).some((e) => e.startsWith('/spec/cidrBlock')));
  });

  test('the combined schema applies each type\'s schema to its documents only', () => {
    const check = validator(index.combined());
    assert.deepEqual(check({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: 1 } }), [], 'foreign documents are left alone');
    assert.deepEqual(check({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 's' }, spec: { cidrBlock: '10.0.0.0/24' } }), []);
    assert.notDeepEqual(check({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 's' }, spec: {} }), []);
    assert.notDeepEqual(check({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v' }, spec: { runStrategy: 'Sometimes', template: {} } }), []);
  });

  test('OpenAPI extensions map to JSON Schema: nullable, int-or-string; non-CRDs are skipped', () => {
    assert.deepEqual(toJsonSchema({ type: 'string', nullable: true, format: 'date-time' }), { type: ['string', 'null'] });
    assert.deepEqual(toJsonSchema({ 'x-kubernetes-int-or-string': true, description: 'port' }), { description: 'port', anyOf: [{ type: 'integer' }, { type: 'string' }] });
    assert.deepEqual(toJsonSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'integer', format: 'int32' } } }), { type: 'object', properties: { a: { type: 'integer' } } });
    assert.deepEqual(crdSchemas([{ kind: 'ConfigMap' }, null, { kind: 'CustomResourceDefinition', spec: { group: 'x.io', names: { kind: 'X' }, versions: [{ name: 'v1', served: false }] } }]), []);
  });
});

test('the contributor callbacks: a schema URI for open files holding our types, their content as JSON', async () => {
  const index = await loadCrdSchemaIndex(CRDS);
  const open: Record<string, string> = { 'file:///w/vm.yaml': 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\n', 'file:///w/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\n' };
  const c = crdSchemaContributor(index, (r) => open[r]);
  const uri = c.requestSchema('file:///w/vm.yaml')!;
  assert.ok(uri.startsWith(`${SCHEMA_SCHEME}://`), 'the YAML extension routes the URI back to the contributor by its scheme');
  assert.equal(c.requestSchema('file:///w/cm.yaml'), undefined);
  assert.equal(c.requestSchema('file:///w/closed.yaml'), undefined);
  const schema = JSON.parse(c.requestSchemaContent(uri)) as JsonSchema;
  assert.equal(schema.title, 'VirtualMachine (kubevirt.io/v1)');
  assert.deepEqual(JSON.parse(c.requestSchemaContent(ALL_SCHEMAS_URI)), index.combined());
  assert.deepEqual(JSON.parse(c.requestSchemaContent('ovnlab://schemas/unknown.json')), {});
});
