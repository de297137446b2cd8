// EIP actions: the default-VPC pod annotation form (`ovn.kubernetes.io/eip`) and the CRD form
// (OvnEip + OvnFip) that Kube-OVN uses for custom VPCs.
import type { KubeClient } from './kube-client';
import { type WriteOptions, createObject, mergePatchObject } from './kube-objects';
import { checkIp, checkLabel, checkSubdomain } from './names';
import type { OvnEip, OvnFip, Pod } from './resources';
import { ANNOTATIONS } from './store-indexes';

/**
 * Sets (or, with null, removes) a pod's `ovn.kubernetes.io/eip`. Kube-OVN acts on a pod's
 * annotations only until it marks the pod `ovn.kubernetes.io/routed`; removing that mark in the
 * same patch makes the controller handle the pod again and program the NAT rule.
 */
export async function setPodEip(client: KubeClient, namespace: string, pod: string, eip: string | null, opts: WriteOptions = {}): Promise<Pod> {
  checkLabel('namespace', namespace);
  checkSubdomain('pod name', pod);
  if (eip !== null) checkIp('EIP', eip, 4);
  return mergePatchObject(client, 'pods', namespace, pod, { metadata: { annotations: { [ANNOTATIONS.eip]: eip, [ANNOTATIONS.routed]: null } } }, opts);
}

export interface OvnEipRequest {
  name: string;
  /** the external subnet the address comes from (Kube-OVN's default: `ovn-vpc-external-network`) */
  externalSubnet?: string;
  /** a fixed external address; omitted, Kube-OVN allocates one */
  v4Ip?: string;
  /** 'nat' (FIP/DNAT/SNAT), 'lrp' or 'lsp' */
  type?: 'nat' | 'lrp' | 'lsp';
}

export async function createOvnEip(client: KubeClient, req: OvnEipRequest, opts: WriteOptions = {}): Promise<OvnEip> {
  checkSubdomain('OvnEip name', req.name);
  if (req.externalSubnet !== undefined) checkSubdomain('external subnet', req.externalSubnet);
  if (req.v4Ip !== undefined) checkIp('OvnEip address', req.v4Ip, 4);
  const spec: NonNullable<OvnEip['spec']> = { type: req.type ?? 'nat' };
  if (req.externalSubnet) spec.externalSubnet = req.externalSubnet;
  if (req.v4Ip) spec.v4Ip = req.v4Ip;
  return createObject(client, 'ovn-eips', { metadata: { name: req.name }, spec }, opts);
}

export interface OvnFipRequest {
  name: string;
  ovnEip: string;
  /** the IP CR of the VM or pod (`<vm>.<ns>`) */
  ipName: string;
  /** 'vip' binds to a Vip CR instead of an IP CR */
  ipType?: 'ip' | 'vip';
}

export async function createOvnFip(client: KubeClient, req: OvnFipRequest, opts: WriteOptions = {}): Promise<OvnFip> {
  checkSubdomain('OvnFip name', req.name);
  checkSubdomain('OvnEip name', req.ovnEip);
  checkSubdomain('IP name', req.ipName);
  const spec: NonNullable<OvnFip['spec']> = { ovnEip: req.ovnEip, ipName: req.ipName };
  if (req.ipType) spec.ipType = req.ipType;
  return createObject(client, 'ovn-fips', { metadata: { name: req.name }, spec }, opts);
}
