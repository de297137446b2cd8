// Every version the kind lab installs, in one place. Chosen 2026-11-25.
//
// Why these: kind v0.33.0 was the newest kind release (its notes list prebuilt node images for
// Kubernetes 1.34–1.37); we run Kubernetes 1.35.8 from that list because KubeVirt 1.8 and
// Kube-OVN 1.15 are both known to run on 1.35/1.36 while 1.37 is a month old; kubectl matches
// the node's minor. Kube-OVN v1.15.8 is the newest chart whose Chart.yaml we could read
// (version v1.15.8, appVersion 1.15.8, kubeVersion >= 1.29); Multus v4.2.3 is the thick
// plugin Kube-OVN's own Makefile pins; KubeVirt v1.8.4 the newest 1.8 patch release seen.
//
// Checksums: this machine has no internet, so none of the values below was computed here.
// Each one was copied from a published source, cited next to it. Where no published value
// was found, `sha256` is undefined and ovnlab refuses to download that file (the user can
// install the tool themselves: PATH or the ovnlab.tools.* settings).
import type { PinnedFile } from '../pinned-download';

export const KIND_LAB_VERSIONS_CHOSEN = '2026-11-25';

export type KindTool = 'kind' | 'kubectl' | 'helm' | 'virtctl';
export const KIND_TOOLS: readonly KindTool[] = ['kind', 'kubectl', 'helm', 'virtctl'];

export type ToolPlatform = 'linux/amd64' | 'linux/arm64' | 'darwin/amd64' | 'darwin/arm64';
export const TOOL_PLATFORMS: readonly ToolPlatform[] = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'];

export interface ToolAsset {
  url: string;
  /** Lower-case hex sha256 of the file at `url`, or undefined: not found, never downloaded. */
  sha256: string | undefined;
  /** Where the value came from (or why it is missing). */
  source: string;
  /** For archives (.tar.gz): the path of the binary inside. */
  member?: string;
}

export interface ToolPin {
  tool: KindTool;
  version: string;
  assets: Record<ToolPlatform, ToolAsset>;
}

const KIND_V = 'v0.33.0';
// kind: the values of the release's kind-<os>-<arch>.sha256sum files as pinned in public
// projects' download tables, found by content search (the index does not name their repos):
// all four in one Go pinned-download table (kindAssets, 2026); linux/amd64 also in a Python tool
// table and two verified install scripts, linux/arm64 and darwin/arm64 also in a Python lock file
// of a Strimzi test gate; darwin/amd64 in the Go table only (one source).
const KIND_SRC = 'kind v0.33.0 kind-<os>-<arch>.sha256sum values as pinned in public download tables (see the comment above TOOL_PINS)';
const kindUrl = (p: string) => `https://github.com/kubernetes-sigs/kind/releases/download/${KIND_V}/kind-${p}`;

const KUBECTL_V = 'v1.35.8';
// kubectl: the dl.k8s.io .../kubectl.sha256 values as recorded in the same Strimzi gate's lock
// file (linux/amd64, linux/arm64, darwin/arm64); linux/amd64 also in a second Python tool table.
const KUBECTL_SRC = 'dl.k8s.io/release/v1.35.8/bin/<os>/<arch>/kubectl.sha256 values as recorded in a public lock file (2026)';
const kubectlUrl = (os: string, arch: string) => `https://dl.k8s.io/release/${KUBECTL_V}/bin/${os}/${arch}/kubectl`;

const HELM_V = 'v3.22.0';
// helm: the release notes list each archive's get.helm.sh/*.sha256sum value; linux/amd64 and
// linux/arm64 also match a second, independent table that fetched those files.
const HELM_SRC = 'github.com/helm/helm/releases/tag/v3.22.0, "Installation and Upgrading" (checksum per archive, from get.helm.sh/*.sha256sum)';
const helmUrl = (p: string) => `https://get.helm.sh/helm-${HELM_V}-${p}.tar.gz`;

const KUBEVIRT_V = 'v1.8.4';
const virtctlUrl = (p: string) => `https://github.com/kubevirt/kubevirt/releases/download/${KUBEVIRT_V}/virtctl-${KUBEVIRT_V}-${p}`;
const VIRTCTL_MISSING =
  'NOT FOUND: no published sha256 for virtctl v1.8.4 could be found (KubeVirt publishes no checksum file; the GitHub asset digest was not in any source available): not downloaded';

export const TOOL_PINS: Record<KindTool, ToolPin> = {
  kind: {
    tool: 'kind',
    version: KIND_V,
    assets: {
      'linux/amd64': { url: kindUrl('linux-amd64'), sha256: 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d', source: KIND_SRC },
      'linux/arm64': { url: kindUrl('linux-arm64'), sha256: '20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2', source: KIND_SRC },
      'darwin/amd64': { url: kindUrl('darwin-amd64'), sha256: '5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0', source: KIND_SRC },
      'darwin/arm64': { url: kindUrl('darwin-arm64'), sha256: '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f', source: KIND_SRC },
    },
  },
  kubectl: {
    tool: 'kubectl',
    version: KUBECTL_V,
    assets: {
      'linux/amd64': { url: kubectlUrl('linux', 'amd64'), sha256: '874d5e72dbb819f43cff16bcd1e4f8bac5b7f2361fe1e55049b0a6c676fb0cbf', source: KUBECTL_SRC },
      'linux/arm64': { url: kubectlUrl('linux', 'arm64'), sha256: 'cc749967b62f4422260bc9c0aa7a7c55f45175ae38cb8d95767b5d2b7e04c1fd', source: KUBECTL_SRC },
      'darwin/amd64': {
        url: kubectlUrl('darwin', 'amd64'),
        sha256: undefined,
        source: 'NOT FOUND: the darwin/amd64 kubectl.sha256 for v1.35.8 was in no source available: not downloaded',
      },
      'darwin/arm64': { url: kubectlUrl('darwin', 'arm64'), sha256: 'b8be50ae0c6665b646fb009f904a52cad30806deee19ab3b4fe5af2d68bd82eb', source: KUBECTL_SRC },
    },
  },
  helm: {
    tool: 'helm',
    version: HELM_V,
    assets: {
      'linux/amd64': { url: helmUrl('linux-amd64'), sha256: '1e4ab49e429626cf6c6958d914248b78c9730803c2751b87627e171dc800e7bb', source: HELM_SRC, member: 'linux-amd64/helm' },
      'linux/arm64': { url: helmUrl('linux-arm64'), sha256: 'f14e804dfee240f55525b667488fe9adca349e63e00c9af634c0beb1421ac310', source: HELM_SRC, member: 'linux-arm64/helm' },
      'darwin/amd64': { url: helmUrl('darwin-amd64'), sha256: 'bd1d09f316558dda23698527859600936fed1371021ce0f2272d66b2fdcfa69c', source: HELM_SRC, member: 'darwin-amd64/helm' },
      'darwin/arm64': { url: helmUrl('darwin-arm64'), sha256: '4c9982a6cdeb458b60258df66b55398ca5b19293f6877faffe2909ad6f23dfe0', source: HELM_SRC, member: 'darwin-arm64/helm' },
    },
  },
  virtctl: {
    tool: 'virtctl',
    version: KUBEVIRT_V,
    assets: {
      'linux/amd64': { url: virtctlUrl('linux-amd64'), sha256: undefined, source: VIRTCTL_MISSING },
      'linux/arm64': { url: virtctlUrl('linux-arm64'), sha256: undefined, source: VIRTCTL_MISSING },
      'darwin/amd64': { url: virtctlUrl('darwin-amd64'), sha256: undefined, source: VIRTCTL_MISSING },
      'darwin/arm64': { url: virtctlUrl('darwin-arm64'), sha256: undefined, source: VIRTCTL_MISSING },
    },
  },
};

/**
 * The kind node image, pinned by digest: github.com/kubernetes-sigs/kind/releases/tag/v0.33.0,
 * "Images pre-built for this release" (the same digest is in a public lock file for 1.35.8).
 */
export const KIND_NODE_IMAGE = 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0';

export const KUBE_OVN = {
  /** Helm chart `kube-ovn` (charts/kube-ovn/Chart.yaml: version v1.15.8, appVersion "1.15.8"). */
  chartVersion: 'v1.15.8',
  chartRepo: 'https://kubeovn.github.io/kube-ovn/',
  chart: 'kube-ovn',
  /** the image tag the chart installs (global.images.kubeovn.tag), as Kube-OVN's own `make install-chart` sets it */
  imageTag: 'v1.15.8',
  /** Helm verifies no digest for a chart from a plain repository; none is pinned here. */
  chartSha256: undefined as string | undefined,
} as const;

export const MULTUS = {
  version: 'v4.2.3',
  /** The thick plugin daemonset, at the tag Kube-OVN's Makefile uses (MULTUS_VERSION = v4.2.3). */
  manifestUrl: 'https://raw.githubusercontent.com/k8snetworkplumbingwg/multus-cni/v4.2.3/deployments/multus-daemonset-thick.yml',
  /** NOT FOUND: no published sha256 for this file; applied from the tag URL, unverified. */
  manifestSha256: undefined as string | undefined,
  daemonSet: 'kube-multus-ds',
} as const;

export const KUBEVIRT = {
  version: KUBEVIRT_V,
  operatorUrl: `https://github.com/kubevirt/kubevirt/releases/download/${KUBEVIRT_V}/kubevirt-operator.yaml`,
  /**
   * sha256 of kubevirt-operator.yaml v1.8.4, as recorded in one public vendoring manifest (a
   * TypeScript list of upstream files with their sha256, 2026); one source only.
   */
  operatorSha256: 'd1d8264eec5b802c122bec6c54d8c3b11e119ee2a5c75602aaa8b53ea3857eda',
  /** The CR is ours (plan.ts), not the release's kubevirt-cr.yaml, so useEmulation can be set in it. */
  containerDiskImage: `quay.io/kubevirt/cirros-container-disk-demo:${KUBEVIRT_V}`,
} as const;

/** The kubevirt-operator.yaml download as a pinned file. */
export function kubevirtOperatorFile(): PinnedFile {
  return { label: `kubevirt-operator.yaml ${KUBEVIRT.version}`, url: KUBEVIRT.operatorUrl, algorithm: 'sha256', digest: KUBEVIRT.operatorSha256 };
}

/** The tool's download for a platform as a pinned file (digest undefined when not pinned). */
export function toolFile(tool: KindTool, platform: ToolPlatform): PinnedFile {
  const pin = TOOL_PINS[tool];
  const a = pin.assets[platform];
  return { label: `${tool} ${pin.version} ${platform}`, url: a.url, algorithm: 'sha256', digest: a.sha256 };
}

/** Node's platform/arch as a tool platform, or undefined when ovnlab pins nothing for it. */
export function toolPlatform(platform: string = process.platform, arch: string = process.arch): ToolPlatform | undefined {
  const os = platform === 'linux' || platform === 'darwin' ? platform : undefined;
  const cpu = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : undefined;
  return os && cpu ? (`${os}/${cpu}` as ToolPlatform) : undefined;
}
