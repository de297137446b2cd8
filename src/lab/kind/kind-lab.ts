// The kind lab behind the LabBackend interface: preflight, tools (found or fetched, pinned),
// the plan, run step by step with progress and cancellation, state in `<dir>/lab.json`.
//
// One deliberate difference from the local lab: a failed or cancelled `up` does NOT tear the
// cluster down. Creating it and installing Kube-OVN and KubeVirt takes many minutes, and every
// step has an isDone check, so re-running `up` resumes where it stopped; everything made is
// recorded before it is made, so `down` can always remove it. `down` removes only a cluster
// whose nodes carry ovnlab's label (or that lab.json records ovnlab asked kind to create) and
// only a Docker network carrying ovnlab's label.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LAB_STATE_FILE, defaultLabDir, type LabApplyResult, type LabBackend, type LabExecResult, type LabNodeStatus, type LabProgress, type LabStatus, type LabUpOptions, type LabVmStatus } from '../lab-backend';
import { defaultBinCache } from '../local/pinned-binaries';
import { DEFAULT_KIND_PLAN_OPTIONS, FIELD_MANAGER, OWNER_LABEL, OWNER_VALUE, buildKindPlan, sshKeyPath, type KindPlanOptions } from './plan';
import { DOCKER_NOT_RUNNING, checkDocker, formatPreflight, runPreflight } from './preflight';
import { runCommand, runPlan, type RunState, type StepEvent } from './step-runner';
import { ensureTool, findTool } from './tool-fetch';
import { KIND_NODE_IMAGE, type KindTool } from './versions';

export type KindToolWord = KindTool | 'docker' | 'ssh-keygen';

export interface KindLabOptions {
  /** explicit tool paths (settings / flags); the rest are found on PATH, in the cache, or fetched */
  tools?: Partial<Record<KindToolWord, string>>;
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  /** kind-specific plan options (gateway type, external network…) beyond LabUpOptions */
  plan?: Partial<Omit<KindPlanOptions, 'labDir'>>;
  /** tests: skip the machine checks (they need a Docker engine) */
  skipPreflight?: boolean;
  /** tests: KVM present or not, instead of looking at /dev/kvm */
  kvm?: boolean;
  onEvent?: (e: StepEvent) => void;
}

interface KindLabState extends RunState {
  backend: 'kind';
  clusterName: string;
  context: string;
  externalNetwork: string;
  gatewayNodes: string[];
}

/** `~/.local/state/ovnlab/kind-lab` (beside the local lab's directory). */
export function defaultKindLabDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(defaultLabDir(env)), 'kind-lab');
}

const SAFE_ARG = /^[-A-Za-z0-9_.,:/=@+%]+$/;

function describe(e: StepEvent): string | undefined {
  switch (e.type) {
    case 'step-start':
      return `[${e.index}/${e.total}] ${e.title}`;
    case 'step-skipped':
      return `[${e.index}/${e.total}] ${e.title}: already done`;
    case 'step-waiting':
      return `  waiting for ${e.what}…`;
    case 'step-done':
      return `  done in ${Math.round(e.ms / 1000)} s`;
    case 'step-failed':
      return `  failed: ${e.message}`;
    case 'output':
      return undefined;
  }
}

export class KindLab implements LabBackend {
  readonly kind = 'kind' as const;

  constructor(
    readonly dir: string = defaultKindLabDir(),
    private readonly opts: KindLabOptions = {},
  ) {}

  private get env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  private statePath(): string {
    return join(this.dir, LAB_STATE_FILE);
  }

  private async loadState(): Promise<KindLabState | undefined> {
    try {
      const s = JSON.parse(await readFile(this.statePath(), 'utf8')) as KindLabState;
      return s.backend === 'kind' ? s : undefined;
    } catch {
      return undefined;
    }
  }

  /** The kubeconfig context `lab up` recorded (kind-<cluster>), undefined before any up. */
  async kubeContext(): Promise<string | undefined> {
    return (await this.loadState())?.context;
  }

  /** The backend whose lab.json is in this directory when it is not the kind lab's. */
  private async foreignBackend(): Promise<string | undefined> {
    try {
      const raw = JSON.parse(await readFile(this.statePath(), 'utf8')) as { backend?: unknown };
      return raw.backend === 'kind' ? undefined : String(raw.backend ?? 'unknown');
    } catch {
      return undefined;
    }
  }

  private async refuseForeignDir(): Promise<void> {
    const other = await this.foreignBackend();
    if (other) {
      throw new Error(
        `${this.dir} holds the ${other} lab's state (lab.json): the kind lab keeps its own directory (default ${defaultKindLabDir(this.env)}); pass another --dir`,
      );
    }
  }

  private async saveState(s: KindLabState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.statePath()}.tmp`;
    await writeFile(tmp, `${JSON.stringify(s, null, 2)}\n`);
    await rename(tmp, this.statePath());
  }

  planOptions(up: LabUpOptions = {}, kvm = true): KindPlanOptions {
    const nodes = up.nodes ?? 3;
    return {
      ...DEFAULT_KIND_PLAN_OPTIONS,
      ...this.opts.plan,
      workers: this.opts.plan?.workers ?? Math.max(1, nodes - 1),
      podSubnet: up.defaultSubnetCidr ?? this.opts.plan?.podSubnet ?? DEFAULT_KIND_PLAN_OPTIONS.podSubnet,
      kvm: this.opts.kvm ?? kvm,
      labDir: this.dir,
    };
  }

  /** word → path for the tools `down`/`status` need (no fetching: nothing to fetch for a lab that is not there). */
  private async presentTools(): Promise<Record<string, string>> {
    const t: Record<string, string> = {};
    for (const tool of ['kind', 'kubectl', 'virtctl'] as const) {
      const loc = await findTool(tool, { configured: this.opts.tools?.[tool], env: this.env, cacheDir: this.opts.cacheDir ?? defaultBinCache(this.env) }).catch(() => undefined);
      if (loc) t[tool] = loc.path;
    }
    t.docker = this.opts.tools?.docker ?? 'docker';
    return t;
  }

  private async run(tools: Record<string, string>, argv: string[], timeoutMs = 60_000, input?: string) {
    return runCommand(argv, { tools, timeoutMs, env: this.env, input });
  }

  async up(up: LabUpOptions, progress: LabProgress, signal?: AbortSignal): Promise<LabStatus> {
    await this.refuseForeignDir();
    let kvm = this.opts.kvm ?? true;
    const draft = this.planOptions(up, kvm);
    if (!this.opts.skipPreflight) {
      progress('Checking this machine (preflight)');
      const report = await runPreflight({ externalSubnet: draft.externalNetwork.subnet, configured: this.opts.tools, env: this.env, cacheDir: this.opts.cacheDir, docker: this.opts.tools?.docker, sshKeygen: this.opts.tools?.['ssh-keygen'] });
      for (const line of formatPreflight(report).split('\n')) progress(line);
      const docker = report.checks.find((c) => c.id === 'docker');
      if (docker?.status === 'fail') throw new Error(docker.message);
      if (!report.ok) throw new Error(`the kind lab cannot start here:\n${report.checks.filter((c) => c.status === 'fail').map((c) => `  ${c.message}`).join('\n')}`);
      kvm = this.opts.kvm ?? report.kvm;
    }
    const tools: Record<string, string> = { docker: this.opts.tools?.docker ?? 'docker', 'ssh-keygen': this.opts.tools?.['ssh-keygen'] ?? 'ssh-keygen' };
    for (const tool of ['kind', 'kubectl', 'helm'] as const) {
      const loc = await ensureTool(tool, {
        configured: this.opts.tools?.[tool],
        env: this.env,
        cacheDir: this.opts.cacheDir,
        signal,
        onProgress: (got, total) => progress(`Fetching ${tool}`, total ? got / total : undefined),
      });
      if (loc.source === 'download') progress(`Fetched ${tool} into ${loc.path} (sha256 verified)`);
      tools[tool] = loc.path;
    }
    const plan = buildKindPlan(this.planOptions(up, kvm));
    const prev = await this.loadState();
    const state: KindLabState = {
      backend: 'kind',
      clusterName: plan.clusterName,
      context: plan.context,
      externalNetwork: draft.externalNetwork.name,
      gatewayNodes: plan.gatewayNodes,
      steps: prev?.steps ?? {},
      created: prev?.created ?? [],
    };
    await this.saveState(state);
    await runPlan(plan.steps, {
      tools,
      state,
      persist: () => this.saveState(state),
      signal,
      env: this.env,
      onEvent: (e) => {
        this.opts.onEvent?.(e);
        const line = describe(e);
        if (line) progress(line, e.type === 'step-start' || e.type === 'step-skipped' ? (e.index - 1) / e.total : undefined);
      },
    }).catch((e: Error) => {
      throw new Error(`${e.message}\nRun \`ovnlab lab up --backend kind\` again to resume, or \`ovnlab lab down --backend kind\` to remove what was made.`);
    });
    return this.status();
  }

  async down(progress: LabProgress = () => {}): Promise<void> {
    await this.refuseForeignDir();
    const state = await this.loadState();
    const tools = await this.presentTools();
    const clusterName = state?.clusterName ?? DEFAULT_KIND_PLAN_OPTIONS.clusterName;
    const network = state?.externalNetwork ?? DEFAULT_KIND_PLAN_OPTIONS.externalNetwork.name;
    const docker = await checkDocker(tools.docker, this.env);
    if (docker.status !== 'ok') {
      if (!state || state.created.length === 0) {
        await this.forget();
        return;
      }
      throw new Error(`${DOCKER_NOT_RUNNING}; lab down needs it to remove ${state.created.map((c) => `${c.kind} ${c.name}`).join(' and ')}`);
    }
    if (tools.kind) {
      const clusters = await this.run(tools, ['kind', 'get', 'clusters']);
      const exists = clusters.stdout.split('\n').some((l) => l.trim() === clusterName);
      if (exists) {
        const labelled = tools.kubectl
          ? await this.run(tools, ['kubectl', '--context', `kind-${clusterName}`, 'get', 'nodes', '-l', `${OWNER_LABEL}=${OWNER_VALUE}`, '-o', 'name'], 30_000)
          : undefined;
        const ownedByLabel = labelled !== undefined && labelled.exitCode === 0 && labelled.stdout.trim() !== '';
        const ownedByRecord = state?.created.some((c) => c.kind === 'kind-cluster' && c.name === clusterName) ?? false;
        if (ownedByLabel || ownedByRecord) {
          progress(`Deleting kind cluster ${clusterName}`);
          const r = await this.run(tools, ['kind', 'delete', 'cluster', '--name', clusterName], 5 * 60_000);
          if (r.exitCode !== 0) throw new Error(`kind delete cluster --name ${clusterName} failed: ${r.stderr.trim()}`);
        } else {
          progress(`kind cluster ${clusterName} was not created by ovnlab (no ${OWNER_LABEL}=${OWNER_VALUE} nodes, no record in ${this.statePath()}): left alone`);
        }
      }
    } else if (state?.created.some((c) => c.kind === 'kind-cluster')) {
      throw new Error(`lab.json records a kind cluster but no kind binary was found: install kind (or set ovnlab.tools.kind) and run lab down again`);
    }
    const label = await this.run(tools, ['docker', 'network', 'inspect', '--format', `{{index .Labels "${OWNER_LABEL}"}}`, network]);
    if (label.exitCode === 0) {
      if (label.stdout.trim() === OWNER_VALUE) {
        progress(`Removing Docker network ${network}`);
        const r = await this.run(tools, ['docker', 'network', 'rm', network]);
        if (r.exitCode !== 0) throw new Error(`docker network rm ${network} failed: ${r.stderr.trim()}`);
      } else {
        progress(`Docker network ${network} was not made by ovnlab (no ${OWNER_LABEL}=${OWNER_VALUE} label): left alone`);
      }
    }
    await this.forget();
  }

  private async forget(): Promise<void> {
    for (const f of [LAB_STATE_FILE, 'kind-config.yaml', 'id_ed25519', 'id_ed25519.pub']) await rm(join(this.dir, f), { force: true });
    await rm(join(this.dir, 'manifests'), { recursive: true, force: true });
  }

  async status(): Promise<LabStatus> {
    const state = await this.loadState();
    const clusterName = state?.clusterName ?? DEFAULT_KIND_PLAN_OPTIONS.clusterName;
    const context = `kind-${clusterName}`;
    const base: LabStatus = { backend: 'kind', dir: this.dir, state: 'down', nodes: [], vms: [], notes: [] };
    const tools = await this.presentTools();
    if (!tools.kind || !tools.kubectl) return { ...base, state: state ? 'broken' : 'down', notes: state ? ['kind or kubectl is missing: cannot look at the cluster'] : [] };
    const docker = await checkDocker(tools.docker, this.env);
    if (docker.status !== 'ok') return { ...base, state: state ? 'broken' : 'down', notes: [docker.message] };
    const clusters = await this.run(tools, ['kind', 'get', 'clusters']);
    if (!clusters.stdout.split('\n').some((l) => l.trim() === clusterName)) return { ...base, state: state ? 'broken' : 'down', notes: state ? [`lab.json records the lab but kind has no cluster ${clusterName}: run lab down, then lab up`] : [] };
    const nodes = await this.run(tools, ['kubectl', '--context', context, 'get', 'nodes', '-o', 'json'], 30_000);
    const nodeStatus: LabNodeStatus[] = [];
    if (nodes.exitCode === 0) {
      const list = JSON.parse(nodes.stdout) as { items: { metadata: { name: string; labels?: Record<string, string> }; status?: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] } }[] };
      for (const n of list.items) {
        const labels = n.metadata.labels ?? {};
        nodeStatus.push({
          name: n.metadata.name,
          role: 'node-role.kubernetes.io/control-plane' in labels ? 'control-plane' : 'worker',
          encapIp: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
          chassisUp: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
          gateway: labels['ovn.kubernetes.io/external-gw'] === 'true' || (state?.gatewayNodes ?? []).includes(n.metadata.name),
        });
      }
    }
    const vms = await this.vmStatus(tools, context);
    const allReady = nodeStatus.length > 0 && nodeStatus.every((n) => n.chassisUp);
    const unfinished = Object.entries(state?.steps ?? {}).filter(([, s]) => s !== 'done' && s !== 'skipped').map(([id]) => id);
    const notes = [`kubectl context ${context}`];
    if (unfinished.length) notes.push(`unfinished steps: ${unfinished.join(', ')} (run lab up --backend kind to resume)`);
    if (nodes.exitCode !== 0) notes.push(`cannot list nodes: ${nodes.stderr.trim()}`);
    return { ...base, state: allReady && unfinished.length === 0 ? 'up' : 'broken', nodes: nodeStatus, vms, notes };
  }

  private async vmStatus(tools: Record<string, string>, context: string): Promise<LabVmStatus[]> {
    const vms = await this.run(tools, ['kubectl', '--context', context, 'get', 'virtualmachines', '-A', '-o', 'json'], 30_000);
    if (vms.exitCode !== 0) return [];
    const vmis = await this.run(tools, ['kubectl', '--context', context, 'get', 'virtualmachineinstances', '-A', '-o', 'json'], 30_000);
    type Vm = { metadata: { name: string; namespace: string }; spec?: { template?: { metadata?: { annotations?: Record<string, string> } } }; status?: { printableStatus?: string } };
    type Vmi = { metadata: { name: string; namespace: string }; status?: { nodeName?: string; interfaces?: { ipAddress?: string; mac?: string }[] } };
    const vmiList = vmis.exitCode === 0 ? (JSON.parse(vmis.stdout) as { items: Vmi[] }).items : [];
    return (JSON.parse(vms.stdout) as { items: Vm[] }).items.map((vm) => {
      const vmi = vmiList.find((i) => i.metadata.name === vm.metadata.name && i.metadata.namespace === vm.metadata.namespace);
      const nic = vmi?.status?.interfaces?.[0];
      return {
        name: vm.metadata.name,
        namespace: vm.metadata.namespace,
        phase: vm.status?.printableStatus ?? 'Unknown',
        node: vmi?.status?.nodeName,
        ip: nic?.ipAddress,
        mac: nic?.mac,
        pinned: Boolean(vm.spec?.template?.metadata?.annotations?.['ovn.kubernetes.io/ip_address']),
        port: `${vm.metadata.name}.${vm.metadata.namespace}`,
      };
    });
  }

  async exec(vm: string, cmd: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LabExecResult> {
    if (cmd.length === 0) throw new Error('lab exec needs a command');
    for (const a of cmd) {
      // virtctl ssh hands the command to the guest's shell as one string: allow only plain words
      if (!SAFE_ARG.test(a)) throw new Error(`"${a}" is not allowed in a kind-lab exec command (letters, digits and -_.,:/=@+% only)`);
    }
    const state = await this.loadState();
    const tools = await this.presentTools();
    const timeoutMs = opts.timeoutMs ?? 60_000;
    if (vm === 'outside') {
      // a throwaway container on the external Docker network: a host "outside" the cluster
      const network = state?.externalNetwork ?? DEFAULT_KIND_PLAN_OPTIONS.externalNetwork.name;
      const [entry, ...rest] = cmd;
      const r = await runCommand(['docker', 'run', '--rm', '--network', network, '--cap-add', 'NET_RAW', '--entrypoint', entry ?? '', KIND_NODE_IMAGE, ...rest], { tools, timeoutMs, signal: opts.signal, env: this.env });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    }
    const [name, ns = 'default'] = vm.split('.');
    if (!name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) throw new Error(`"${vm}" is not a VM name (vm or vm.namespace)`);
    if (!tools.virtctl) throw new Error('lab exec into a kind-lab VM needs virtctl: install it and put it on PATH (or set ovnlab.tools.virtctl)');
    const context = state?.context ?? `kind-${DEFAULT_KIND_PLAN_OPTIONS.clusterName}`;
    const r = await runCommand(
      [
        'virtctl', '--context', context, 'ssh', '--namespace', ns, '--username', 'cirros', '--identity-file', sshKeyPath(this.dir),
        '--local-ssh', '--local-ssh-opts=-oStrictHostKeyChecking=no', '--local-ssh-opts=-oUserKnownHostsFile=/dev/null',
        '--command', cmd.join(' '), `vmi/${name}`,
      ],
      { tools, timeoutMs, signal: opts.signal, env: this.env },
    );
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  async apply(yamlText: string, source = '-'): Promise<LabApplyResult> {
    const state = await this.loadState();
    const tools = await this.presentTools();
    if (!tools.kubectl) throw new Error('kubectl is missing: install it (or set ovnlab.tools.kubectl)');
    const context = state?.context ?? `kind-${DEFAULT_KIND_PLAN_OPTIONS.clusterName}`;
    const r = await this.run(tools, ['kubectl', '--context', context, 'apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], 120_000, yamlText);
    const applied = r.stdout.split('\n').filter((l) => l.trim());
    const problems = r.exitCode === 0 ? [] : [`${source}: ${r.stderr.trim()}`];
    return { applied, problems };
  }
}
