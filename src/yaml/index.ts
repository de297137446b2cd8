// The VM YAML layer's public surface, for the editor adapters (src/views) and the CLI.
//
// An adapter stays thin:
// - lenses and diagnostics: `analyzeVmDocuments(document.getText(), context)` → map
//   `lenses[i]` to CodeLens(range.startPos, { title, command, arguments: args }) (command '' =
//   informational) and `diagnostics[i]` to Diagnostic(range, message, severity) with `code`;
//   `fixes[i].edits` become one WorkspaceEdit per code action (offsets → document.positionAt);
//   read them only when the code actions are asked for: they may be built then (LazyFix), and a
//   fix whose edits come out empty is not offered.
// - commands: `pinIpEdits` / `unpinIpEdits` / `setSubnetEdits` / `enableMigrationEdits` take the
//   current text and the lens's `args[0].vm` ref and return {offset, length, newText}[] edits,
//   already checked by re-parsing; an EditError's message is for the user.
// - completions/hovers: annotation-help.ts.
// - the cluster: the Kubernetes layer fills ClusterFacts (src/k8s/cluster-facts.ts); without it
//   analysis says "cluster-backed checks off: no cluster connected".
export type { AnalysisContext, ClusterFacts, IpInUse, ManualSubnet, SubnetFacts, VpcFacts } from './cluster-facts';
export { analyzeVmDocuments, VmAnalysisCache, VM_COMMANDS } from './vm-analysis';
export type { DiagnosticCode, LensArgs, LensModel, QuickFix, Severity, TextRange, VmAnalysis, VmDiagnostic } from './vm-analysis';
export type { MigrationState, OffsetRange, VmAnnotation, VmDocInfo, VmNetwork, VmRef } from './vm-documents';
export { describeMigration, enableMigrationEdits, pinIpEdits, setSubnetEdits, unpinIpEdits } from './vm-edits';
export type { Attachment, EditResult, MigrationOptions, PinIpOptions } from './vm-edits';
export { vmObject } from './vm-object';
export { applyEdits, EditError } from './text-edits';
export type { TextEdit } from './text-edits';
export { annotationKey, KUBE_OVN_ANNOTATIONS, KUBEVIRT_BRIDGE_MIGRATION_KEY, parseAnnotationKey, suggestAnnotationName } from './annotation-catalogue';
export type { AnnotationSpec, AnnotationValueKind } from './annotation-catalogue';
export { annotationHover, annotationKeyCompletions, annotationValueCompletions, completionsAt, hoverAt } from './annotation-help';
export type { CompletionsAt, HoverAt, KeyCompletion, ValueCompletion } from './annotation-help';
export { LIVE_MIGRATION_ANNOTATION_REMOVED_IN, parseVersion, usesLegacyMigration } from './kube-ovn-version';
export { nextFreeIp, parseCidr, parseIp, formatIp } from './ip-range';
