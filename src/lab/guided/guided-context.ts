// Which lab the guided checks read. The local lab: its status from the lab directory, OVN through
// the daemons' sockets. The kind lab: VM status through kubectl (KindLab.status), OVN through the
// cluster's pods (ClusterOvnTarget, the way `kubectl ko` execs into ovn-central / ovs-ovn) on the
// kind lab's kubeconfig context. Pings run in the VMs either way (backend.exec). No vscode here:
// the walkthrough glue and the tests share it.
import type { LabBackend, LabBackendKind } from '../lab-backend';
import { LocalLab } from '../local/local-lab';
import { localLabTarget } from '../local/lab-target';
import { KindLab } from '../kind/kind-lab';
import { ClusterOvnTarget } from '../../k8s/cluster-ovn-target';
import { KubeClient } from '../../k8s/kube-client';
import type { OvnTarget } from '../../ovn/ovn-target';
import { fileMemo, guidedWorkDir, type GuidedContext } from './step-runner';
import { kindLabNotRunning } from './checks';

/** The kind lab as the guided checks use it: a backend that also names its kubeconfig context. */
export type KindGuidedLab = LabBackend & { kubeContext(): Promise<string | undefined> };

export interface GuidedLabChoice {
  backend: LabBackendKind;
  localLabDir: string;
  kindLabDir: string;
  /** the repository's (or extension's) `labs/` folder */
  labsDir: string;
  env?: NodeJS.ProcessEnv;
  /** the kind lab (default: KindLab in kindLabDir) */
  kindLab?: KindGuidedLab;
  /** a client for the kind lab's context (default: the user's kubeconfig, as kind writes it there) */
  kubeClient?: (context: string) => KubeClient;
}

/**
 * The OvnTarget of the kind lab: the cluster behind its kubeconfig context. Throws, saying what
 * to do, when the kind lab is not running (no Docker, no cluster, unfinished `lab up`).
 */
export async function kindLabTarget(lab: KindGuidedLab, client: (context: string) => KubeClient): Promise<OvnTarget> {
  const down = kindLabNotRunning(await lab.status(), lab.dir);
  if (down) throw new Error(down);
  const context = await lab.kubeContext();
  if (!context) throw new Error(`kind lab not running: ${lab.dir} records no kubeconfig context; run \`ovnlab lab up --backend kind\``);
  return new ClusterOvnTarget(client(context));
}

/** The context the guided steps run in, for the backend the user chose. */
export async function guidedContextFor(o: GuidedLabChoice): Promise<GuidedContext> {
  if (o.backend === 'kind') {
    const lab = o.kindLab ?? new KindLab(o.kindLabDir, { env: o.env });
    const client = o.kubeClient ?? ((context: string) => KubeClient.fromKubeconfig({ context, env: o.env }));
    // its own memo and file copies: an IP remembered on one backend means nothing on the other
    const workDir = `${guidedWorkDir(lab.dir)}-kind`;
    return { backend: lab, target: () => kindLabTarget(lab, client), labsDir: o.labsDir, workDir, memo: await fileMemo(workDir) };
  }
  const workDir = guidedWorkDir(o.localLabDir);
  return { backend: new LocalLab(o.localLabDir), target: () => localLabTarget(o.localLabDir), labsDir: o.labsDir, workDir, memo: await fileMemo(workDir) };
}
