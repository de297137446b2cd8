// The kind lab as data: the ordered steps that bring it up, each with what it runs (a command
// as an argument array, a Kubernetes manifest to apply, a file to write, a pinned file to
// fetch), how to tell it is already done (so `up` resumes), what to wait for afterwards and how
// long. Commands name their tool by word ('kind', 'kubectl', 'helm', 'docker'); the step runner
// maps words to paths. The plan is pure: the same options give the same plan, which is what the
// checked-in expected outputs (test/fixtures/kind-plan/*.json) compare.
//
// What it follows: Kube-OVN's own kind setup (yamls/kind.yaml.j2 + `make kind-init`: kube-proxy
// in ipvs mode, default CNI disabled, pod 10.16.0.0/16, services 10.96.0.0/12; `make
// install-chart`: control-plane nodes labelled kube-ovn/role=master, the chart with
// global.images.kubeovn.tag and the ipv4 CIDRs), Multus thick from its release manifest,
// KubeVirt operator + our KubeVirt CR (developerConfiguration.useEmulation without /dev/kvm),
// and seed 003's external network: a Docker network on the gateway node's second NIC (eth1)
// and the ovn-external-gw-config ConfigMap.
import { isIPv4 } from 'node:net';
import { stringify } from 'yaml';
import { KIND_NODE_IMAGE, KUBE_OVN, KUBEVIRT, MULTUS, kubevirtOperatorFile } from './versions';

/** Label (Kubernetes nodes, Docker network) that marks what ovnlab made; `down` removes only these. */
export const OWNER_LABEL = 'ovnlab.io/lab';
export const OWNER_VALUE = 'kind';
export const FIELD_MANAGER = 'ovnlab';
/** Secret holding the lab's SSH public key (`key1`), given to the sample VMs. */
export const SSH_SECRET = 'ovnlab-ssh';
/** The lab's SSH key pair, in the lab directory. */
export function sshKeyPath(labDir: string): string {
  return `${labDir}/id_ed25519`;
}

export interface KindPlanOptions {
  clusterName: string;
  workers: number;
  podSubnet: string;
  serviceSubnet: string;
  /** /dev/kvm usable: false → KubeVirt's useEmulation */
  kvm: boolean;
  gatewayType: 'centralized' | 'distributed';
  externalNetwork: {
    name: string;
    /** CIDR of the Docker network (seed 003: 192.168.100.0/24) */
    subnet: string;
    /** the Docker network's gateway: the external router the cluster's traffic leaves through */
    gateway: string;
    /** Docker hands out addresses from this range only, so the rest of the subnet is free for OVN */
    dockerRange: string;
    /** the OVN logical router port on the external network (nic-ip) */
    nicIp: string;
    nicMac: string;
  };
  /** EIP given to the first sample VM (from the external subnet, outside dockerRange) */
  sampleEip: string;
  sampleVms: boolean;
  /** where the plan writes its files (kind config, fetched manifests) */
  labDir: string;
}

export const DEFAULT_KIND_PLAN_OPTIONS: Omit<KindPlanOptions, 'labDir'> = {
  clusterName: 'ovnlab',
  workers: 2,
  podSubnet: '10.16.0.0/16',
  serviceSubnet: '10.96.0.0/12',
  kvm: true,
  gatewayType: 'centralized',
  externalNetwork: {
    name: 'ovnlab-external',
    subnet: '192.168.100.0/24',
    gateway: '192.168.100.1',
    dockerRange: '192.168.100.0/25',
    nicIp: '192.168.100.254/24',
    nicMac: '02:00:c0:a8:64:fe',
  },
  sampleEip: '192.168.100.200',
  sampleVms: true,
};

/** A check: run argv; it holds when the exit code is 0 and stdout matches (when given). */
export interface Check {
  argv: string[];
  stdoutIncludes?: string;
  stdoutEquals?: string;
}

export interface WaitCondition extends Check {
  /** what is awaited, for progress lines */
  what: string;
  intervalMs: number;
}

export type KubeManifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

export type StepAction =
  | { type: 'command'; argv: string[] }
  | { type: 'write-file'; path: string; content: string }
  | { type: 'fetch'; url: string; sha256: string | undefined; label: string; dest: string }
  | { type: 'apply'; context: string; manifests: KubeManifest[] }
  | { type: 'apply-file'; context: string; file: string };

/** What a step creates that `down` must remove, recorded before the step runs. */
export type CreatedResource = { kind: 'kind-cluster'; name: string } | { kind: 'docker-network'; name: string };

export interface PlanStep {
  id: string;
  title: string;
  run: StepAction;
  /** when it holds before the step, the step is skipped (re-running `up` resumes) */
  isDone?: Check;
  wait?: WaitCondition;
  timeoutMs: number;
  creates?: CreatedResource;
}

export interface KindPlan {
  clusterName: string;
  context: string;
  nodes: { name: string; role: 'control-plane' | 'worker' }[];
  gatewayNodes: string[];
  steps: PlanStep[];
}

const MIN = 60_000;
const NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function checkCidr(what: string, cidr: string): void {
  const [ip, len, extra] = cidr.split('/');
  const n = Number(len);
  if (extra !== undefined || !isIPv4(ip ?? '') || !/^\d+$/.test(len ?? '') || n < 8 || n > 30) {
    throw new Error(`${what} must be an IPv4 CIDR such as 10.16.0.0/16, got "${cidr}"`);
  }
}

/** Rejects options that would put a bad name or address on a command line. */
export function validateKindPlanOptions(o: KindPlanOptions): void {
  if (!NAME.test(o.clusterName)) throw new Error(`cluster name must be lower-case letters, digits and -, at most 32, got "${o.clusterName}"`);
  if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 8) throw new Error(`workers must be a whole number from 1 to 8, got ${o.workers}`);
  checkCidr('pod subnet', o.podSubnet);
  checkCidr('service subnet', o.serviceSubnet);
  const x = o.externalNetwork;
  if (!NAME.test(x.name)) throw new Error(`external network name must be lower-case letters, digits and -, got "${x.name}"`);
  checkCidr('external subnet', x.subnet);
  checkCidr('external Docker range', x.dockerRange);
  checkCidr('nic-ip', x.nicIp);
  if (!isIPv4(x.gateway)) throw new Error(`external gateway must be an IPv4 address, got "${x.gateway}"`);
  if (!isIPv4(o.sampleEip)) throw new Error(`sample EIP must be an IPv4 address, got "${o.sampleEip}"`);
  if (!MAC.test(x.nicMac)) throw new Error(`nic-mac must look like 02:00:c0:a8:64:fe, got "${x.nicMac}"`);
  if (o.gatewayType !== 'centralized' && o.gatewayType !== 'distributed') throw new Error(`gateway type must be centralized or distributed, got "${String(o.gatewayType)}"`);
}

/** kind's node names: `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`, … */
export function kindNodeNames(clusterName: string, workers: number): { name: string; role: 'control-plane' | 'worker' }[] {
  const nodes: { name: string; role: 'control-plane' | 'worker' }[] = [{ name: `${clusterName}-control-plane`, role: 'control-plane' }];
  for (let i = 1; i <= workers; i++) nodes.push({ name: `${clusterName}-worker${i === 1 ? '' : i}`, role: 'worker' });
  return nodes;
}

/** The kind Cluster config (kind.x-k8s.io/v1alpha4) as an object. */
export function kindClusterConfig(o: KindPlanOptions): Record<string, unknown> {
  const owner = { [OWNER_LABEL]: OWNER_VALUE };
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: o.clusterName,
    networking: {
      // as Kube-OVN's kind.yaml.j2 (`kube_proxy_mode=ipvs` in `make kind-init`)
      kubeProxyMode: 'ipvs',
      disableDefaultCNI: true,
      ipFamily: 'ipv4',
      apiServerAddress: '127.0.0.1',
      // 0: Docker picks a free host port, so no fixed port can collide
      apiServerPort: 0,
      podSubnet: o.podSubnet,
      serviceSubnet: o.serviceSubnet,
    },
    nodes: [
      { role: 'control-plane', image: KIND_NODE_IMAGE, labels: { ...owner, 'kube-ovn/role': 'master' } },
      ...Array.from({ length: o.workers }, () => ({ role: 'worker', image: KIND_NODE_IMAGE, labels: { ...owner } })),
    ],
  };
}

function kubectl(context: string, ...args: string[]): string[] {
  return ['kubectl', '--context', context, ...args];
}

/** The KubeVirt CR, with software emulation when there is no /dev/kvm. */
export function kubevirtCr(kvm: boolean): KubeManifest {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'KubeVirt',
    metadata: { name: 'kubevirt', namespace: 'kubevirt' },
    spec: {
      certificateRotateStrategy: {},
      configuration: { developerConfiguration: kvm ? { featureGates: [] } : { useEmulation: true, featureGates: [] } },
      customizeComponents: {},
      imagePullPolicy: 'IfNotPresent',
      workloadUpdateStrategy: {},
    },
  };
}

/** Seed 003's ConfigMap: the external gateway on the gateway node(s)' second NIC. */
export function externalGatewayConfigMap(o: KindPlanOptions, gatewayNodes: string[]): KubeManifest {
  const x = o.externalNetwork;
  const prefix = x.subnet.split('/')[1];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ovn-external-gw-config', namespace: 'kube-system', labels: { [OWNER_LABEL]: OWNER_VALUE } },
    data: {
      'enable-external-gw': 'true',
      type: o.gatewayType,
      'external-gw-nodes': gatewayNodes.join(','),
      // the Docker network is the node container's second interface
      'external-gw-nic': 'eth1',
      'external-gw-addr': `${x.gateway}/${prefix}`,
      'nic-ip': x.nicIp,
      'nic-mac': x.nicMac,
    },
  };
}

/** A cirros VM on the default network (Kube-OVN ovn-default), bridge binding. */
export function sampleVm(name: string, annotations: Record<string, string> = {}): KubeManifest {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace: 'default', labels: { [OWNER_LABEL]: OWNER_VALUE } },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { 'kubevirt.io/vm': name }, annotations },
        spec: {
          domain: {
            devices: {
              disks: [
                { name: 'containerdisk', disk: { bus: 'virtio' } },
                { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
              ],
              interfaces: [{ name: 'default', bridge: {} }],
            },
            resources: { requests: { memory: '128Mi' } },
          },
          networks: [{ name: 'default', pod: {} }],
          // the lab's public key reaches the guest through the NoCloud disk, so `lab exec` can
          // use `virtctl ssh` with the private key kept in the lab directory
          accessCredentials: [{ sshPublicKey: { source: { secret: { secretName: SSH_SECRET } }, propagationMethod: { noCloud: {} } } }],
          volumes: [
            { name: 'containerdisk', containerDisk: { image: KUBEVIRT.containerDiskImage } },
            { name: 'cloudinitdisk', cloudInitNoCloud: { userData: '#cloud-config\n' } },
          ],
        },
      },
    },
  };
}

/** Builds the plan. Throws on options that fail validation. */
export function buildKindPlan(o: KindPlanOptions): KindPlan {
  validateKindPlanOptions(o);
  const context = `kind-${o.clusterName}`;
  const nodes = kindNodeNames(o.clusterName, o.workers);
  const firstWorker = nodes.find((n) => n.role === 'worker')?.name ?? nodes[0].name;
  // centralized: one gateway node (the first worker, as seed 003); distributed: every node
  // is a gateway and so needs the external NIC
  const gatewayNodes = o.gatewayType === 'centralized' ? [firstWorker] : nodes.map((n) => n.name);
  const x = o.externalNetwork;
  const configPath = `${o.labDir}/kind-config.yaml`;
  const operatorPath = `${o.labDir}/manifests/kubevirt-operator-${KUBEVIRT.version}.yaml`;
  const [podNet] = o.podSubnet.split('/');
  const podGateway = podNet.replace(/\.\d+$/, (last) => `.${Number(last.slice(1)) + 1}`);
  const vmNames = ['vm1', 'vm2'];

  const steps: PlanStep[] = [
    {
      id: 'kind-config',
      title: 'Write the kind cluster config',
      run: { type: 'write-file', path: configPath, content: stringify(kindClusterConfig(o)) },
      timeoutMs: 10_000,
    },
    {
      id: 'cluster',
      title: `Create kind cluster ${o.clusterName} (1 control plane + ${o.workers} workers, no default CNI)`,
      run: { type: 'command', argv: ['kind', 'create', 'cluster', '--name', o.clusterName, '--config', configPath, '--wait', '0s'] },
      isDone: { argv: ['kind', 'get', 'clusters'], stdoutIncludes: o.clusterName },
      wait: { what: 'the API server answers', argv: kubectl(context, 'get', '--raw', '/readyz'), stdoutEquals: 'ok', intervalMs: 2000 },
      timeoutMs: 10 * MIN,
      creates: { kind: 'kind-cluster', name: o.clusterName },
    },
    {
      id: 'external-network',
      title: `Create Docker network ${x.name} (${x.subnet})`,
      run: {
        type: 'command',
        argv: ['docker', 'network', 'create', '--driver', 'bridge', '--subnet', x.subnet, '--ip-range', x.dockerRange, '--gateway', x.gateway, '--label', `${OWNER_LABEL}=${OWNER_VALUE}`, x.name],
      },
      isDone: { argv: ['docker', 'network', 'inspect', '--format', `{{index .Labels "${OWNER_LABEL}"}}`, x.name], stdoutEquals: OWNER_VALUE },
      timeoutMs: MIN,
      creates: { kind: 'docker-network', name: x.name },
    },
    ...gatewayNodes.map(
      (node): PlanStep => ({
        id: `external-nic-${node}`,
        title: `Attach ${x.name} to ${node} as its second NIC (eth1)`,
        run: { type: 'command', argv: ['docker', 'network', 'connect', x.name, node] },
        isDone: { argv: ['docker', 'inspect', '--format', '{{json .NetworkSettings.Networks}}', node], stdoutIncludes: `"${x.name}"` },
        timeoutMs: MIN,
      }),
    ),
    {
      id: 'kube-ovn',
      title: `Install Kube-OVN ${KUBE_OVN.chartVersion} (Helm chart)`,
      run: {
        type: 'command',
        argv: [
          'helm', 'upgrade', '--install', 'kube-ovn', KUBE_OVN.chart,
          '--repo', KUBE_OVN.chartRepo, '--version', KUBE_OVN.chartVersion,
          '--kube-context', context, '--namespace', 'kube-system',
          '--set', `global.images.kubeovn.tag=${KUBE_OVN.imageTag}`,
          '--set', 'networking.NET_STACK=ipv4',
          '--set', 'networking.NETWORK_TYPE=geneve',
          '--set', `ipv4.POD_CIDR=${o.podSubnet}`,
          '--set', `ipv4.POD_GATEWAY=${podGateway}`,
          '--set', `ipv4.SVC_CIDR=${o.serviceSubnet}`,
          '--set', 'func.ENABLE_BIND_LOCAL_IP=true',
          '--wait', '--timeout', '15m',
        ],
      },
      isDone: { argv: ['helm', 'status', 'kube-ovn', '--kube-context', context, '--namespace', 'kube-system', '--output', 'json'], stdoutIncludes: '"status":"deployed"' },
      wait: { what: 'every node Ready (the CNI is up)', argv: kubectl(context, 'wait', '--for=condition=Ready', 'node', '--all', '--timeout=10s'), intervalMs: 5000 },
      timeoutMs: 20 * MIN,
    },
    {
      id: 'multus',
      title: `Install Multus thick plugin ${MULTUS.version}`,
      run: { type: 'command', argv: kubectl(context, 'apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', MULTUS.manifestUrl) },
      isDone: { argv: kubectl(context, '-n', 'kube-system', 'get', 'daemonset', MULTUS.daemonSet, '-o', 'name'), stdoutIncludes: MULTUS.daemonSet },
      wait: { what: 'the Multus daemonset rolled out', argv: kubectl(context, '-n', 'kube-system', 'rollout', 'status', `daemonset/${MULTUS.daemonSet}`, '--timeout=10s'), intervalMs: 5000 },
      timeoutMs: 10 * MIN,
    },
    {
      id: 'kubevirt-operator-fetch',
      title: `Fetch kubevirt-operator.yaml ${KUBEVIRT.version} (sha256 verified)`,
      run: { type: 'fetch', ...(({ url, digest, label }) => ({ url, sha256: digest, label }))(kubevirtOperatorFile()), dest: operatorPath },
      timeoutMs: 5 * MIN,
    },
    {
      id: 'kubevirt-operator',
      title: `Install the KubeVirt operator ${KUBEVIRT.version}`,
      run: { type: 'apply-file', context, file: operatorPath },
      isDone: { argv: kubectl(context, '-n', 'kubevirt', 'get', 'deployment', 'virt-operator', '-o', 'name'), stdoutIncludes: 'virt-operator' },
      wait: { what: 'virt-operator available', argv: kubectl(context, '-n', 'kubevirt', 'rollout', 'status', 'deployment/virt-operator', '--timeout=10s'), intervalMs: 5000 },
      timeoutMs: 10 * MIN,
    },
    {
      id: 'kubevirt-cr',
      title: o.kvm ? 'Deploy KubeVirt (KVM)' : 'Deploy KubeVirt with software emulation (no /dev/kvm)',
      run: { type: 'apply', context, manifests: [kubevirtCr(o.kvm)] },
      wait: {
        what: 'KubeVirt Available',
        argv: kubectl(context, '-n', 'kubevirt', 'wait', 'kubevirt', 'kubevirt', '--for=condition=Available', '--timeout=10s'),
        intervalMs: 10_000,
      },
      timeoutMs: 20 * MIN,
    },
    {
      id: 'external-gateway',
      title: `Configure the ${o.gatewayType} external gateway on ${gatewayNodes.join(', ')}`,
      run: { type: 'apply', context, manifests: [externalGatewayConfigMap(o, gatewayNodes)] },
      wait: {
        what: `${gatewayNodes[0]} labelled as external gateway by Kube-OVN`,
        argv: kubectl(context, 'get', 'node', gatewayNodes[0], '-o', 'jsonpath={.metadata.labels.ovn\\.kubernetes\\.io/external-gw}'),
        stdoutEquals: 'true',
        intervalMs: 3000,
      },
      timeoutMs: 5 * MIN,
    },
  ];
  if (o.sampleVms) {
    const key = sshKeyPath(o.labDir);
    steps.push({
      id: 'ssh-key',
      title: 'Make the lab SSH key (for `lab exec` into VMs)',
      run: { type: 'command', argv: ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ovnlab-kind-lab', '-f', key] },
      isDone: { argv: ['ssh-keygen', '-l', '-f', `${key}.pub`] },
      timeoutMs: MIN,
    });
    steps.push({
      id: 'ssh-secret',
      title: `Store the public key in Secret default/${SSH_SECRET}`,
      run: { type: 'command', argv: kubectl(context, '-n', 'default', 'create', 'secret', 'generic', SSH_SECRET, `--from-file=key1=${key}.pub`) },
      isDone: { argv: kubectl(context, '-n', 'default', 'get', 'secret', SSH_SECRET, '-o', 'name'), stdoutIncludes: SSH_SECRET },
      timeoutMs: MIN,
    });
    steps.push({
      id: 'sample-vms',
      title: `Start the sample VMs ${vmNames.join(', ')} (cirros container disk; ${vmNames[0]} with EIP ${o.sampleEip})`,
      run: { type: 'apply', context, manifests: [sampleVm(vmNames[0], { 'ovn.kubernetes.io/eip': o.sampleEip }), sampleVm(vmNames[1])] },
      wait: {
        what: 'the sample VMs Ready',
        argv: kubectl(context, '-n', 'default', 'wait', 'vmi', ...vmNames, '--for=condition=Ready', '--timeout=10s'),
        intervalMs: 10_000,
      },
      timeoutMs: 20 * MIN,
    });
  }
  return { clusterName: o.clusterName, context, nodes, gatewayNodes, steps };
}

/** Every Kubernetes manifest the plan applies itself (not the release manifests it fetches). */
export function planManifests(plan: KindPlan): KubeManifest[] {
  return plan.steps.flatMap((s) => (s.run.type === 'apply' ? s.run.manifests : []));
}
