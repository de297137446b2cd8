// Validation of names and addresses before they reach an OVN/OVS command line.
// OVN port names in Kube-OVN look like `vm1.default`, `node-ovnlab-worker`,
// `ovn-cluster-external`, `localnet.external`; bridges like `br-int`.

const OVN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,252}$/;
const BRIDGE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function assertOvnName(kind: string, name: string): string {
  if (!OVN_NAME.test(name)) {
    throw new Error(`invalid ${kind} "${name}": use letters, digits and . _ : @ - (Kube-OVN port names look like vm1.default)`);
  }
  return name;
}

export function assertBridge(name: string): string {
  if (!BRIDGE.test(name)) throw new Error(`invalid bridge "${name}": at most 15 letters, digits, '.', '_' or '-' (e.g. br-int)`);
  return name;
}

export function assertMac(mac: string): string {
  if (!MAC.test(mac)) throw new Error(`invalid MAC address "${mac}"`);
  return mac.toLowerCase();
}

export function parseIpv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function assertIpv4(ip: string): string {
  if (parseIpv4(ip) === undefined) throw new Error(`invalid IPv4 address "${ip}": expected four numbers 0-255 like 10.16.0.15`);
  return ip;
}

/** Does `ip` fall inside `cidr` (a.b.c.d/n)? */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const [net, lenText] = cidr.split('/');
  const a = parseIpv4(ip);
  const n = parseIpv4(net);
  const len = Number(lenText);
  if (a === undefined || n === undefined || !Number.isInteger(len) || len < 0 || len > 32) return false;
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return ((a & mask) >>> 0) === ((n & mask) >>> 0);
}
