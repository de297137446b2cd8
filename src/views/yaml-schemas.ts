// Hands the CRD JSON schemas (src/k8s/crd-schemas.ts, made from deploy/crds) to the YAML extension
// (redhat.vscode-yaml) through its schema contributor API, so Subnet, Vpc, VirtualMachine, … files
// get validation, hovers and completion of their fields. Without that extension nothing happens
// but one log line; if it is installed later, the registration follows.
import * as vscode from 'vscode';
import { findCrdDir } from '../k8s/crd-install';
import { crdSchemaContributor, loadCrdSchemaIndex, SCHEMA_SCHEME } from '../k8s/crd-schemas';

export const YAML_EXTENSION_ID = 'redhat.vscode-yaml';

/** The part of redhat.vscode-yaml's exported API used here. */
interface YamlExtensionApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => Promise<string> | string,
    label?: string,
  ): boolean;
}

function isYamlApi(v: unknown): v is YamlExtensionApi {
  return typeof v === 'object' && v !== null && typeof (v as { registerContributor?: unknown }).registerContributor === 'function';
}

export type SchemaRegistration = 'registered' | 'no-yaml-extension' | 'no-crds' | 'no-api';

export class CrdSchemaRegistration {
  private state: Promise<SchemaRegistration> | undefined;

  constructor(private readonly deps: { extensionPath: string; log: vscode.LogOutputChannel }) {}

  /** Registers now if the YAML extension is there, and again when extensions change until it worked. */
  start(): vscode.Disposable[] {
    void this.register();
    return [vscode.extensions.onDidChange(() => void this.register())];
  }

  register(): Promise<SchemaRegistration> {
    if (!this.state) {
      this.state = this.attempt();
      // only success is final: a missing extension may be installed later
      void this.state.then((s) => { if (s !== 'registered') this.state = undefined; });
    }
    return this.state;
  }

  private async attempt(): Promise<SchemaRegistration> {
    const ext = vscode.extensions.getExtension(YAML_EXTENSION_ID);
    if (!ext) {
      this.deps.log.debug(`yaml schemas: ${YAML_EXTENSION_ID} is not installed: no CRD schemas for the YAML editor`);
      return 'no-yaml-extension';
    }
    const dir = await findCrdDir(this.deps.extensionPath);
    if (!dir) {
      this.deps.log.warn(`yaml schemas: no deploy/crds under ${this.deps.extensionPath}: CRD schemas not registered`);
      return 'no-crds';
    }
    try {
      const index = await loadCrdSchemaIndex(dir);
      const api: unknown = await ext.activate();
      if (!isYamlApi(api)) {
        this.deps.log.warn(`yaml schemas: ${YAML_EXTENSION_ID} ${String(ext.packageJSON?.version ?? '')} has no registerContributor API`);
        return 'no-api';
      }
      const textOf = (resource: string) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource || d.uri.toString(true) === resource)?.getText();
      const c = crdSchemaContributor(index, textOf);
      api.registerContributor(SCHEMA_SCHEME, c.requestSchema, c.requestSchemaContent, 'ovnlab CRDs');
      this.deps.log.info(`yaml schemas: ${index.schemas.length} CRD schemas registered with ${YAML_EXTENSION_ID}`);
      return 'registered';
    } catch (e) {
      this.deps.log.error(`yaml schemas: ${(e as Error).message}`);
      return 'no-api';
    }
  }
}
