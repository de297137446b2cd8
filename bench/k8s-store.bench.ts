// The cluster store at scale, against the real kube-apiserver: 10k VirtualMachines and 1k
// Subnets stored in etcd. Figures: time from start to a fully synced store (every catalogue
// resource listed, watches open) and time for one VM change to reach the store, both against
// the raw LIST of the same objects in the same run; and the joined VPC → Subnet → VM tree at
// that size (with 10k VMIs and IP CRs added in memory), which must stay under 50 ms.
import { ClusterStore } from '../src/k8s/cluster-store';
import { snapshotFrom } from '../src/k8s/cluster-snapshot';
import { vpcTree, subnetRows, vpcRows } from '../src/k8s/joined-views';
import { KubeClient } from '../src/k8s/kube-client';
import { RESOURCES, resourcePath } from '../src/k8s/resource-catalogue';
import type { KubeList, Subnet, VirtualMachine } from '../src/k8s/resources';
import { buildIndexes } from '../src/k8s/store-indexes';
import { kubeApiServerUnavailable, startTestKubeApiServer } from '../test/fixtures/kube-apiserver';
import { subnet, vm, vmi, vmIp } from '../test/fixtures/k8s-objects';
import { ensureNamespace } from '../test/fixtures/k8s-samples';
import { type BenchResult, result } from './result';

const VMS = 10_000;
const SUBNETS = 1_000;
const NAMESPACES = 10;
const CONCURRENCY = 16;
const TREE_BUDGET_MS = 50;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function subnetCidr(i: number): string {
  return `10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`;
}

function vmAddress(i: number): string {
  const s = i % SUBNETS;
  const host = 10 + Math.floor(i / SUBNETS);
  return subnetCidr(s).replace(/\.0\/24$/, `.${host}`);
}

export default async function bench(): Promise<BenchResult[]> {
  const why = await kubeApiServerUnavailable();
  if (why) throw new Error(why);
  const api = await startTestKubeApiServer({ crds: true });
  try {
    const client = new KubeClient(api.kc);
    for (let n = 0; n < NAMESPACES; n++) await ensureNamespace(client, `bench-${n}`);
    const t0 = performance.now();
    const subnetDef = RESOURCES.subnets;
    const vmDef = RESOURCES.virtualmachines;
    await pool([...Array(SUBNETS).keys()], CONCURRENCY, (i) =>
      client.request('POST', resourcePath(subnetDef), { body: subnet(`net-${i}`, subnetCidr(i), { vpc: i % 10 === 0 ? 'ovn-cluster' : `vpc-${i % 10}` }) }),
    );
    await pool([...Array(VMS).keys()], CONCURRENCY, (i) => {
      const ns = `bench-${i % NAMESPACES}`;
      const body = vm(ns, `vm-${i}`, { subnet: `net-${i % SUBNETS}`, pin: i % 3 === 0 ? vmAddress(i) : undefined });
      return client.request('POST', resourcePath(vmDef, ns), { body });
    });
    console.log(`# k8s-store bench: created ${VMS} VMs + ${SUBNETS} Subnets in ${((performance.now() - t0) / 1000).toFixed(1)} s (concurrency ${CONCURRENCY})`);

    // baseline: the raw LIST of the same objects, fetched and parsed
    const listTimes: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s = performance.now();
      const vms = await client.request<KubeList>('GET', resourcePath(vmDef), { timeoutMs: 120_000 });
      const subs = await client.request<KubeList>('GET', resourcePath(subnetDef), { timeoutMs: 120_000 });
      listTimes.push(performance.now() - s);
      if (vms.items.length !== VMS || subs.items.length !== SUBNETS) throw new Error(`LIST returned ${vms.items.length} VMs / ${subs.items.length} Subnets`);
    }
    const list = median(listTimes);

    // first full sync of a store over the whole catalogue
    const syncTimes: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s = performance.now();
      const store = new ClusterStore(client).start();
      await store.ready;
      syncTimes.push(performance.now() - s);
      const n = store.map('virtualmachines').size;
      await store.stop();
      if (n !== VMS) throw new Error(`store synced ${n} VMs, expected ${VMS}`);
    }

    // one change reaching a synced store
    const store = new ClusterStore(client).start();
    await store.ready;
    const reflect: number[] = [];
    try {
      for (let r = 0; r < 20; r++) {
        const name = `vm-${r * 7}`;
        const ns = `bench-${(r * 7) % NAMESPACES}`;
        const s = performance.now();
        const seen = store.waitFor(() => (store.get('virtualmachines', ns, name)?.metadata.labels?.round === String(r) ? true : undefined), 10_000, `change ${r}`);
        await client.request('PATCH', resourcePath(vmDef, ns, name), { body: { metadata: { labels: { round: String(r) } } }, contentType: 'application/merge-patch+json' });
        await seen;
        reflect.push(performance.now() - s);
      }

      // the joined tree at this size: the store's VMs and Subnets, plus a VMI and IP CR per VM
      const vms = [...store.map('virtualmachines').values()] as VirtualMachine[];
      const subnets = [...store.map('subnets').values()] as Subnet[];
      const vmis = vms.map((v, i) => vmi(v.metadata.namespace ?? '', v.metadata.name, { ip: vmAddress(i), node: `node${i % 3}` }));
      const ips = vms.map((v) => {
        const i = Number(v.metadata.name.slice(3));
        return vmIp(v.metadata.namespace ?? '', v.metadata.name, vmAddress(i), `net-${i % SUBNETS}`, `node${i % 3}`);
      });
      const snap = snapshotFrom({ virtualmachines: vms, subnets, virtualmachineinstances: vmis, ips });
      const treeTimes: number[] = [];
      let vmsInTree = 0;
      for (let r = 0; r < 7; r++) {
        const s = performance.now();
        const ix = buildIndexes(snap);
        const tree = vpcTree(snap, ix);
        subnetRows(snap, ix);
        vpcRows(snap, ix);
        treeTimes.push(performance.now() - s);
        vmsInTree = tree.reduce((n, v) => n + v.subnets.reduce((m, s2) => m + s2.vms.length, 0), 0);
      }
      if (vmsInTree !== VMS) throw new Error(`tree holds ${vmsInTree} VMs, expected ${VMS}`);
      const tree = median(treeTimes);
      console.log(`# joined views: VPC → Subnet → VM tree + subnet and VPC rows for ${VMS} VMs / ${SUBNETS} Subnets in ${tree.toFixed(1)} ms (budget ${TREE_BUDGET_MS} ms: ${tree <= TREE_BUDGET_MS ? 'ok' : 'OVER'})`);
      return [
        result(`k8s store: first full sync of the catalogue with ${VMS / 1000}k VMs + ${SUBNETS / 1000}k Subnets (vs raw LIST of them)`, median(syncTimes), list, 'ms', 1.5),
        result(`k8s store: one VM change reflected through the watch (vs raw LIST of ${VMS / 1000}k VMs + ${SUBNETS / 1000}k Subnets)`, median(reflect), list, 'ms', 0.1),
        result(`k8s joined views: VPC→Subnet→VM tree for ${VMS / 1000}k VMs / ${SUBNETS / 1000}k Subnets, ≤ ${TREE_BUDGET_MS} ms (vs raw LIST)`, tree, list, 'ms', TREE_BUDGET_MS / list),
      ];
    } finally {
      await store.stop();
    }
  } finally {
    await api.stop();
  }
}
