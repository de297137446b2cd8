// The emulated nodes' networks (root only): an underlay Linux bridge in a namespace of the
// lab's own, one veth per node into it, the node's tunnel IP on an OVS bridge `br-phy` (the
// userspace datapath routes geneve only from an OVS bridge's local port), pre-filled tunnel
// neighbours (else the first packet to a new peer is lost), VM NICs and the `outside` network.
// Nothing is created in the host's namespace: deleting the lab's namespaces removes it all.
import { execa } from 'execa';
import { assertIfName, assertNetnsName } from './netns';
import type { OvsChassis } from './ovn-daemons';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function assertIpv4(ip: string): void {
  if (!IPV4.test(ip)) throw new Error(`invalid IPv4 address "${ip}"`);
}
export function assertMacAddr(mac: string): void {
  if (!MAC.test(mac)) throw new Error(`invalid MAC address "${mac}": expected six lowercase hex pairs`);
}

/** `ip …`, optionally inside a namespace; throws with ip's message on failure. */
export async function ipIn(netns: string | undefined, args: string[], opts: { reject?: boolean } = {}): Promise<string> {
  if (netns) assertNetnsName(netns);
  const r = await execa('ip', [...(netns ? ['-n', netns] : []), ...args], { reject: false, timeout: 15_000 });
  if (r.exitCode !== 0 && opts.reject !== false) throw new Error(`ip ${netns ? `-n ${netns} ` : ''}${args.join(' ')} failed: ${String(r.stderr).trim()}`);
  return String(r.stdout);
}

export const UNDERLAY_BRIDGE = 'br0';
export const UNDERLAY_PREFIX = 24;

/** The Linux bridge every node's underlay veth plugs into, inside `netns`. */
export async function createUnderlayBridge(netns: string): Promise<void> {
  await ipIn(netns, ['link', 'add', UNDERLAY_BRIDGE, 'type', 'bridge']);
  await ipIn(netns, ['link', 'set', UNDERLAY_BRIDGE, 'up']);
}

/** veth `u<i>` (underlay side, on the bridge) ↔ `ul0` (node side). */
export async function wireNodeToUnderlay(underlayNetns: string, nodeNetns: string, index: number): Promise<void> {
  const ul = `u${index}`;
  assertIfName(ul);
  await ipIn(undefined, ['link', 'add', ul, 'netns', underlayNetns, 'type', 'veth', 'peer', 'name', 'ul0', 'netns', nodeNetns]);
  await ipIn(underlayNetns, ['link', 'set', ul, 'master', UNDERLAY_BRIDGE, 'up']);
  await ipIn(nodeNetns, ['link', 'set', 'ul0', 'up']);
}

/** br-phy holds ul0; the encap IP sits on br-phy's local port. */
export async function createBrPhy(ch: OvsChassis, encapIp: string, phyMac: string): Promise<void> {
  assertIpv4(encapIp);
  assertMacAddr(phyMac);
  await ch.vsctl([
    '--may-exist', 'add-br', 'br-phy', '--', 'set', 'bridge', 'br-phy', 'datapath_type=netdev', `other-config:hwaddr=${phyMac}`,
    '--', '--may-exist', 'add-port', 'br-phy', 'ul0',
  ]);
  await ipIn(ch.netns, ['addr', 'add', `${encapIp}/${UNDERLAY_PREFIX}`, 'dev', 'br-phy']);
  await ipIn(ch.netns, ['link', 'set', 'br-phy', 'up']);
}

/** The first packet to a tunnel peer is lost while the datapath resolves its MAC: tell it. */
export async function prefillTunnelNeighbour(ch: OvsChassis, peerIp: string, peerMac: string): Promise<void> {
  assertIpv4(peerIp);
  assertMacAddr(peerMac);
  await ch.appctl(['tnl/neigh/set', 'br-phy', peerIp, peerMac]);
}

/**
 * TX checksum offload off on a namespace-side veth end: the netdev datapath reads veths through
 * AF_PACKET and forwards CHECKSUM_PARTIAL packets as they are, so TCP/UDP receivers would drop
 * them (TcpInCsumErrors). ICMP is unaffected. Returns false when ethtool is missing.
 */
export async function txChecksumOff(netns: string, ifname: string): Promise<boolean> {
  assertNetnsName(netns);
  assertIfName(ifname);
  const r = await execa('ip', ['netns', 'exec', netns, 'ethtool', '-K', ifname, 'tx', 'off'], { reject: false, timeout: 10_000 });
  return r.exitCode === 0;
}

/** True when ethtool can be run (TCP through the lab needs it). */
export async function haveEthtool(): Promise<boolean> {
  const r = await execa('ethtool', ['--version'], { reject: false });
  return r.exitCode === 0;
}

/**
 * A gratuitous RARP from the VM's NIC, injected with packet-out as if the NIC sent it: the
 * port's `activation-strategy=rarp` keeps it blocked on the migration target until one is seen
 * (QEMU sends it after a live migration; we are QEMU here).
 */
export async function sendRarp(ch: OvsChassis, hostIf: string, mac: string): Promise<void> {
  assertIfName(hostIf);
  assertMacAddr(mac);
  const m = mac.replace(/:/g, '');
  // Ethernet broadcast, ethertype 0x8035; RARP request-reverse (op 3) with sender = target = the MAC
  const frame = 'ffffffffffff' + m + '8035' + '0001' + '0800' + '06' + '04' + '0003' + m + '00000000' + m + '00000000';
  const ofport = (await ch.vsctl(['get', 'interface', hostIf, 'ofport'])).trim();
  if (!/^\d+$/.test(ofport)) throw new Error(`port ${hostIf} has no OpenFlow port number yet (${ofport})`);
  await ch.ofctl(['packet-out', 'br-int', `in_port=${ofport} packet=${frame.padEnd(120, '0')} actions=resubmit(,0)`]);
}
