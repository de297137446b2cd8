// The six guided labs as data: each step says what its button does (in the editor and in a
// script) and which check must pass before the step counts as done. The walkthrough in
// package.json (contributes.walkthroughs) lists the same labs and steps; a unit test keeps
// the two in step.

/** What a step's button does. */
export type StepAction =
  /** bring the lab up (the editor runs its Lab Up command; scripts run `ovnlab lab up`) */
  | { kind: 'labUp' }
  /** copy the lab's file to the work folder (once) and open it in the editor */
  | { kind: 'open'; file: string }
  /** apply a file: the user's copy in the work folder when `work`, else the lab's own file */
  | { kind: 'apply'; file: string; work?: boolean }
  /** what a code lens does to the user's copy: pin an IP / enable live migration (scripts only) */
  | { kind: 'pinIp'; file: string; vm: string; ip: string }
  | { kind: 'enableMigration'; file: string; vm: string }
  /** a command of the extension (panels, tree actions) */
  | { kind: 'command'; command: string; args?: unknown[] }
  /** open the Trace panel from a VM to an IP, or to the IP a VM has now (scripts: the check traces) */
  | { kind: 'trace'; from: string; ip?: string; toVm?: string }
  /** nothing to do but the check itself (a ping) */
  | { kind: 'none' };

/** Which check a step runs (the functions in checks.ts). */
export type StepCheck =
  | { kind: 'labUp' }
  | { kind: 'yamlPinned'; file: string; vm: string; ip: string }
  | { kind: 'yamlMigration'; file: string; vm: string }
  | { kind: 'vmHasIp'; vm: string; ip?: string; pinned?: boolean }
  | { kind: 'vmRecord'; vm: string; memo: string }
  | { kind: 'vmStoppedKeepsIp'; vm: string; memo: string }
  | { kind: 'vmKeptIp'; vm: string; memo: string }
  | { kind: 'vmMigrated'; vm: string; memo: string }
  | { kind: 'ping'; from: string; ip: string; expectOk: boolean }
  /** the VM left the node recorded under `memo` and `from` still reaches it */
  | { kind: 'pingMoved'; from: string; vm: string; memo: string }
  | { kind: 'vpcs'; want: { vpc: string; subnet: string; cidr: string }[] }
  | { kind: 'externalGateway'; node: string }
  | { kind: 'nat'; eip: string; vm?: string }
  | { kind: 'flowsHit'; node: string; ip: string }
  /** a trace to an IP, or to the IP a VM has now (`toVm`) */
  | { kind: 'trace'; from: string; ip?: string; toVm?: string; viaNode?: string; notViaNode?: string; reachesPort?: string; notReachesPort?: string; dropped?: boolean };

export interface GuidedStep {
  /** short id, also the walkthrough step id suffix: `<lab id>.<step id>` */
  id: string;
  title: string;
  /** the editor's button */
  action: StepAction;
  /** what a script does instead, when the editor action needs a human (a lens, a panel) */
  script?: StepAction;
  check: StepCheck;
}

export interface GuidedLab {
  /** 1..6 */
  n: number;
  /** folder under labs/: `<n>-<slug>` */
  id: string;
  title: string;
  description: string;
  steps: GuidedStep[];
}

const LAB_UP: GuidedStep = { id: 'up', title: 'Start the local lab', action: { kind: 'labUp' }, check: { kind: 'labUp' } };
const GW_NODE = 'ovnlab-control-plane';
const EIP = '192.168.100.101';

export const GUIDED_LABS: readonly GuidedLab[] = [
  {
    n: 1, id: '1-pin-ip', title: 'Pin a VM\'s IP at creation',
    description: 'Seed 000: a VM whose address is chosen by you, not the IPAM. The "Pin IP" lens writes ovn.kubernetes.io/ip_address; the lab checks the VM really got it.',
    steps: [
      LAB_UP,
      { id: 'pin', title: 'Pin 10.16.0.15 with the lens', action: { kind: 'open', file: 'vm.yaml' }, script: { kind: 'pinIp', file: 'vm.yaml', vm: 'testvm', ip: '10.16.0.15' }, check: { kind: 'yamlPinned', file: 'vm.yaml', vm: 'testvm', ip: '10.16.0.15' } },
      { id: 'apply', title: 'Apply the VM', action: { kind: 'apply', file: 'vm.yaml', work: true }, check: { kind: 'vmHasIp', vm: 'testvm', ip: '10.16.0.15', pinned: true } },
      { id: 'ping', title: 'Ping it from another VM', action: { kind: 'apply', file: 'client.yaml' }, check: { kind: 'ping', from: 'client', ip: '10.16.0.15', expectOk: true } },
    ],
  },
  {
    n: 2, id: '2-keep-vm-ip', title: 'An IP that survives restarts',
    description: 'keep-vm-ip: a VM without a pinned address keeps the one the IPAM gave it across stop and start, because its IP object outlives the VMI.',
    steps: [
      LAB_UP,
      { id: 'apply', title: 'Create a VM with a random IP', action: { kind: 'apply', file: 'vm.yaml' }, check: { kind: 'vmRecord', vm: 'keepvm', memo: 'lab2.keepvm' } },
      { id: 'stop', title: 'Stop it', action: { kind: 'apply', file: 'vm-halted.yaml' }, check: { kind: 'vmStoppedKeepsIp', vm: 'keepvm', memo: 'lab2.keepvm.ip' } },
      { id: 'start', title: 'Start it again', action: { kind: 'apply', file: 'vm.yaml' }, check: { kind: 'vmKeptIp', vm: 'keepvm', memo: 'lab2.keepvm.ip' } },
    ],
  },
  {
    n: 3, id: '3-live-migration', title: 'Live migration keeps the IP',
    description: 'Enable live migration with the lens, migrate the VM to another node and see its IP, MAC and the pings from a neighbour survive.',
    steps: [
      LAB_UP,
      { id: 'enable', title: 'Enable live migration with the lens', action: { kind: 'open', file: 'vm.yaml' }, script: { kind: 'enableMigration', file: 'vm.yaml', vm: 'migvm' }, check: { kind: 'yamlMigration', file: 'vm.yaml', vm: 'migvm' } },
      { id: 'apply', title: 'Apply the VM and its neighbour', action: { kind: 'apply', file: 'vm.yaml', work: true }, check: { kind: 'vmRecord', vm: 'migvm', memo: 'lab3.migvm' } },
      { id: 'migrate', title: 'Migrate it', action: { kind: 'apply', file: 'migration.yaml' }, check: { kind: 'vmMigrated', vm: 'migvm', memo: 'lab3.migvm' } },
      { id: 'ping', title: 'The neighbour still reaches it', action: { kind: 'none' }, check: { kind: 'pingMoved', from: 'neighbour', vm: 'migvm', memo: 'lab3.migvm' } },
    ],
  },
  {
    n: 4, id: '4-tenant-vpcs', title: 'Tenant VPCs and subnets',
    description: 'Two VPCs with the same CIDR 10.0.1.0/24: each is its own logical router, so the same addresses live side by side and one tenant cannot reach the other.',
    steps: [
      LAB_UP,
      { id: 'vpcs', title: 'Create two VPCs with overlapping subnets', action: { kind: 'apply', file: 'vpcs.yaml' }, check: { kind: 'vpcs', want: [{ vpc: 'tenant-a', subnet: 'a-net', cidr: '10.0.1.0/24' }, { vpc: 'tenant-b', subnet: 'b-net', cidr: '10.0.1.0/24' }, { vpc: 'tenant-b', subnet: 'b-net2', cidr: '10.0.2.0/24' }] } },
      { id: 'vms', title: 'One VM in each', action: { kind: 'apply', file: 'vms.yaml' }, check: { kind: 'vmHasIp', vm: 'vm-b2', ip: '10.0.2.10' } },
      { id: 'ping', title: 'tenant-a cannot reach tenant-b', action: { kind: 'none' }, check: { kind: 'ping', from: 'vm-a', ip: '10.0.1.20', expectOk: false } },
      { id: 'trace', title: 'The trace shows why', action: { kind: 'trace', from: 'vm-a.default', ip: '10.0.2.10' }, check: { kind: 'trace', from: 'vm-a.default', ip: '10.0.2.10', notReachesPort: 'vm-b2.default', dropped: true } },
    ],
  },
  {
    n: 5, id: '5-eip-gateway', title: 'EIP through a centralized external gateway',
    description: 'Seed 003: the ovn-external-gw-config ConfigMap makes a gateway node, ovn.kubernetes.io/eip gives a VM an address on the external network, and the NAT flows count the pings.',
    steps: [
      LAB_UP,
      { id: 'gateway', title: 'Configure the external gateway', action: { kind: 'apply', file: 'gateway.yaml' }, check: { kind: 'externalGateway', node: GW_NODE } },
      { id: 'eip', title: 'Give a VM an EIP', action: { kind: 'apply', file: 'vm-eip.yaml' }, check: { kind: 'nat', eip: EIP, vm: 'testvm' } },
      { id: 'ping', title: 'Ping the EIP from outside', action: { kind: 'none' }, check: { kind: 'ping', from: 'outside', ip: EIP, expectOk: true } },
      { id: 'flows', title: 'See the NAT flows count', action: { kind: 'command', command: 'ovnlab.showFlows', args: [GW_NODE] }, check: { kind: 'flowsHit', node: GW_NODE, ip: EIP } },
    ],
  },
  {
    n: 6, id: '6-follow-the-packet', title: 'Follow the packet',
    description: 'Trace the same VM twice: to its EIP (through the gateway node) and to its pod IP (straight through the tunnel), and see the extra hop.',
    steps: [
      LAB_UP,
      { id: 'apply', title: 'Apply seed 003', action: { kind: 'apply', file: 'seed-003.yaml' }, check: { kind: 'nat', eip: EIP, vm: 'testvm' } },
      { id: 'trace-eip', title: 'Trace the EIP path', action: { kind: 'trace', from: 'vm2.default', ip: EIP }, check: { kind: 'trace', from: 'vm2.default', ip: EIP, viaNode: GW_NODE } },
      { id: 'trace-pod', title: 'Trace the pod-IP path', action: { kind: 'trace', from: 'vm2.default', toVm: 'testvm' }, check: { kind: 'trace', from: 'vm2.default', toVm: 'testvm', notViaNode: GW_NODE, reachesPort: 'testvm.default' } },
    ],
  },
];

/** `3`, `3-live-migration` or `live-migration` → the lab. */
export function findLab(ref: string): GuidedLab | undefined {
  return GUIDED_LABS.find((l) => String(l.n) === ref || l.id === ref || l.id.slice(l.id.indexOf('-') + 1) === ref);
}

/** The context key the walkthrough's completionEvents wait for. */
export function stepContextKey(lab: GuidedLab, step: GuidedStep): string {
  return `ovnlab.guided.lab${lab.n}.${step.id}`;
}
