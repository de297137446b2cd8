// Builds the YAML layer's ClusterFacts (subnets, IPs in use, VPCs, Kube-OVN version) from a
// store snapshot, so VM analysis can check pinned IPs against what the cluster really has.
import type { ClusterFacts, IpInUse, SubnetFacts, VpcFacts } from '../yaml/cluster-facts';
import type { ClusterSnapshot } from './cluster-snapshot';
import { ipAddresses } from './store-indexes';

export function clusterFactsFromSnapshot(snap: ClusterSnapshot, meta: { source: string; kubeOvnVersion?: string }): ClusterFacts {
  const subnets: SubnetFacts[] = [];
  for (const s of snap.subnets.values()) {
    if (!s.spec?.cidrBlock) continue;
    subnets.push({
      name: s.metadata.name,
      cidrBlock: s.spec.cidrBlock,
      gateway: s.spec.gateway,
      excludeIps: s.spec.excludeIps ? [...s.spec.excludeIps] : undefined,
      vpc: s.spec.vpc,
      namespaces: s.spec.namespaces ? [...s.spec.namespaces] : undefined,
      provider: s.spec.provider,
      default: s.spec.default,
    });
  }
  const ips: IpInUse[] = [];
  for (const ip of snap.ips.values()) {
    ips.push({ name: ip.metadata.name, addresses: ipAddresses(ip), subnet: ip.spec?.subnet, podName: ip.spec?.podName, namespace: ip.spec?.namespace });
  }
  const vpcs: VpcFacts[] = [...snap.vpcs.values()].map((v) => ({ name: v.metadata.name, namespaces: v.spec?.namespaces ? [...v.spec.namespaces] : undefined }));
  return { source: meta.source, subnets, ips, vpcs, kubeOvnVersion: meta.kubeOvnVersion };
}
