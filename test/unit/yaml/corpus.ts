// Loads the VM YAML corpus (test/fixtures/vm-yaml) and renders an analysis as stable text, so the
// expected lenses and diagnostics live in reviewable files next to the fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisContext, ClusterFacts } from '../../../src/yaml/cluster-facts';
import type { VmAnalysis } from '../../../src/yaml/vm-analysis';

export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/vm-yaml');

export function fixtureNames(): string[] {
  return readdirSync(CORPUS).filter((f) => /^\d\d-.*\.yaml$/.test(f)).sort();
}

export function readFixture(name: string): string {
  return readFileSync(join(CORPUS, name), 'utf8');
}

export function clusterFacts(version = 'v1.13.2'): ClusterFacts {
  const facts = JSON.parse(readFileSync(join(CORPUS, 'cluster.json'), 'utf8')) as ClusterFacts;
  return { ...facts, kubeOvnVersion: version };
}

/** The three contexts every fixture is checked in. */
export function contexts(): Record<string, AnalysisContext> {
  return {
    offline: {},
    cluster: { cluster: clusterFacts() },
    legacy: { cluster: clusterFacts('v1.12.10') },
  };
}

export function render(a: VmAnalysis): string {
  const lines: string[] = [];
  for (const v of a.vms) {
    const lenses = a.lenses.filter((l) => l.args[0].vm.offset === v.ref.offset);
    lines.push(`vm ${v.namespace ?? '-'}/${v.name} @${v.range.start} (${v.apiVersion}${v.itemIndex !== undefined ? `, List item ${v.itemIndex}` : ''}${v.viaYamlPackage ? ', via yaml package' : ''})`);
    for (const l of lenses) lines.push(`  lens [${l.kind}] ${l.title}${l.command ? ` -> ${l.command}` : ''}${l.writes ? ` writes: ${l.writes}` : ''}`);
  }
  for (const d of a.diagnostics) {
    lines.push(`${d.range.startPos.line + 1}:${d.range.startPos.character + 1}-${d.range.endPos.line + 1}:${d.range.endPos.character + 1} ${d.severity} ${d.code}: ${d.message}`);
    for (const f of d.fixes) lines.push(`  fix${f.preferred ? '*' : ''} ${f.title}${f.edits ? ` (${f.edits.length} edit${f.edits.length === 1 ? '' : 's'})` : ''}${f.command ? ` -> ${f.command.id}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
