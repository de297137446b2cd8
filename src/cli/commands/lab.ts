// `ovnlab lab up|down|status|exec|apply|delete`: the embedded local lab from the terminal.
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CliCommand, CliIo, OptionSpec } from '../command';
import { UsageError } from '../command';
import type { LabStatus } from '../../lab/lab-backend';
import { LocalLab } from '../../lab/local/local-lab';
import { localLabDir } from '../target-options';
import { backendOption, requestedBackend, runKindLab } from './lab-kind';

const dirOption: OptionSpec = { dir: { type: 'string' } };

function labFrom(v: Record<string, unknown>, io: CliIo): LocalLab {
  return new LocalLab(localLabDir(v.dir, io.env));
}

export function formatStatus(s: LabStatus): string {
  if (s.state === 'down') return `no lab in ${s.dir} (run \`ovnlab lab up\`)`;
  const lines = [`local lab in ${s.dir}: ${s.state}`, `  NB ${s.nbRemote ?? '?'}`, `  SB ${s.sbRemote ?? '?'}`, '', 'NODE                      ROLE           ENCAP IP        CHASSIS  GATEWAY'];
  for (const n of s.nodes) lines.push(`${n.name.padEnd(25)} ${n.role.padEnd(14)} ${(n.encapIp ?? '').padEnd(15)} ${(n.chassisUp ? 'up' : 'DOWN').padEnd(8)} ${n.gateway ? 'yes' : ''}`);
  if (s.vms.length > 0) {
    lines.push('', 'VM                        PHASE        NODE                      IP               MAC                PINNED');
    for (const v of s.vms) {
      lines.push(`${`${v.namespace}/${v.name}`.padEnd(25)} ${v.phase.padEnd(12)} ${(v.node ?? '').padEnd(25)} ${(v.ip ?? '').padEnd(16)} ${(v.mac ?? '').padEnd(18)} ${v.pinned ? 'yes' : ''}`);
      if (v.message) lines.push(`    ${v.message}`);
    }
  }
  for (const n of s.notes) lines.push('', `note: ${n}`);
  return lines.join('\n');
}

async function readInput(file: string, io: CliIo): Promise<string> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

export const labCommands: CliCommand[] = [
  {
    path: ['lab', 'up'],
    summary: 'start the local lab: OVN central + emulated nodes with the Kube-OVN topology',
    usage: 'lab up [--nodes 3] [--dir DIR] [--default-cidr 10.16.0.0/16] [--kube] [--backend local|kind [--gateway centralized|distributed] [--external-subnet CIDR] [--emulation]]',
    options: { ...dirOption, ...backendOption, nodes: { type: 'string' }, 'default-cidr': { type: 'string' }, kube: { type: 'boolean' } },
    async run(v, _p, io) {
      if (requestedBackend(v, io.env) === 'kind') return runKindLab('up', v, _p, io);
      const nodes = v.nodes === undefined ? 3 : Number(v.nodes);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw new UsageError(`--nodes takes a whole number from 1 to 16, got "${String(v.nodes)}"`);
      const lab = labFrom(v, io);
      const st = await lab.up({ nodes, defaultSubnetCidr: v['default-cidr'] as string | undefined, kube: v.kube === true }, (step) => { if (!v.json) io.err(step); }, io.signal);
      if (v.kube) {
        // the controller keeps watching after this command exits: a detached `lab controller`
        // (this same CLI), logging under the lab directory; `lab down` stops it by its pidfile
        const logDir = join(lab.dir, 'controller');
        await mkdir(logDir, { recursive: true });
        const log = join(logDir, 'lab-controller.log');
        // setsid -f: the controller leaves our session and process tree at once, so this command can exit
        // stdio ignored (the controller writes its own log): nothing ties it to this process
        const r = await execa('setsid', ['-f', process.execPath, ...process.execArgv, process.argv[1], 'lab', 'controller', '--dir', lab.dir], {
          stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', reject: false,
        });
        if (r.exitCode !== 0) throw new Error(`could not start the lab controller (setsid exit ${r.exitCode}): see ${log}`);
        if (!v.json) io.err(`API server up: kubectl --kubeconfig ${st.kubeconfig} apply -f FILE works; the lab controller runs in the background (log ${log})`);
      }
      io.out(v.json ? JSON.stringify(st, null, 2) : formatStatus(st));
      return 0;
    },
  },
  {
    path: ['lab', 'down'],
    summary: 'stop the local lab and remove everything it made',
    usage: 'lab down [--dir DIR] [--backend local|kind]',
    options: { ...dirOption, ...backendOption },
    async run(v, _p, io) {
      if (requestedBackend(v, io.env) === 'kind') return runKindLab('down', v, _p, io);
      await labFrom(v, io).down((step) => io.err(step));
      return 0;
    },
  },
  {
    path: ['lab', 'status'],
    summary: 'nodes, chassis and VMs of the local lab',
    usage: 'lab status [--dir DIR] [--json] [--backend local|kind]',
    options: { ...dirOption, ...backendOption },
    async run(v, _p, io) {
      if (requestedBackend(v, io.env) === 'kind') return runKindLab('status', v, _p, io);
      const st = await labFrom(v, io).status();
      io.out(v.json ? JSON.stringify(st, null, 2) : formatStatus(st));
      return st.state === 'up' ? 0 : st.state === 'down' ? 3 : 1;
    },
  },
  {
    path: ['lab', 'exec'],
    summary: 'run a command inside a lab VM (or `outside`, the external network)',
    usage: 'lab exec VM[.NAMESPACE] [--dir DIR] -- CMD [ARGS…]',
    options: { ...dirOption, ...backendOption },
    async run(v, p, io) {
      if (requestedBackend(v, io.env) === 'kind') return runKindLab('exec', v, p, io);
      const [vm, ...cmd] = p;
      if (!vm || cmd.length === 0) throw new UsageError('usage: ovnlab lab exec VM -- CMD [ARGS…] (e.g. ovnlab lab exec testvm -- ping -c1 10.16.0.1)');
      const r = await labFrom(v, io).exec(vm, cmd, { signal: io.signal });
      if (r.stdout) io.out(r.stdout);
      if (r.stderr) io.err(r.stderr);
      return r.exitCode;
    },
  },
  {
    path: ['lab', 'apply'],
    summary: 'apply Kubernetes YAML (Vpc, Subnet, VirtualMachine, ConfigMap, OvnEip/OvnFip, migrations) to the lab',
    usage: 'lab apply -f FILE [--dir DIR]',
    options: { ...dirOption, ...backendOption, filename: { type: 'string', short: 'f', multiple: true } },
    async run(v, _p, io) {
      if (requestedBackend(v, io.env) === 'kind') return runKindLab('apply', v, _p, io);
      const files = (v.filename as string[] | undefined) ?? [];
      if (files.length === 0) throw new UsageError('lab apply needs -f FILE (or -f - for stdin)');
      const lab = labFrom(v, io);
      let failed = false;
      for (const f of files) {
        const r = await lab.apply(await readInput(f, io), f);
        if (v.json) io.out(JSON.stringify(r, null, 2));
        else for (const l of r.applied) io.out(l);
        for (const pr of r.problems) io.err(`warning: ${pr}`);
        failed ||= r.problems.length > 0;
      }
      return failed ? 1 : 0;
    },
  },
  {
    path: ['lab', 'delete'],
    summary: 'delete the objects of a YAML file from the lab',
    usage: 'lab delete -f FILE [--dir DIR]',
    options: { ...dirOption, filename: { type: 'string', short: 'f', multiple: true } },
    async run(v, _p, io) {
      const files = (v.filename as string[] | undefined) ?? [];
      if (files.length === 0) throw new UsageError('lab delete needs -f FILE');
      const lab = labFrom(v, io);
      const ctl = await lab.controller();
      for (const f of files) for (const l of await ctl.delete(await readInput(f, io), f)) io.out(l);
      return 0;
    },
  },
  {
    path: ['lab', 'controller'],
    summary: 'watch the lab\'s API server and reconcile every change (lab up --kube); runs until Ctrl-C',
    usage: 'lab controller [--dir DIR]',
    options: dirOption,
    async run(v, _p, io) {
      const lab = labFrom(v, io);
      const ctl = await lab.controller();
      const pidfile = join(lab.dir, 'controller', 'lab-controller.pid');
      await mkdir(join(lab.dir, 'controller'), { recursive: true });
      await writeFile(pidfile, `${process.pid}\n`);
      const log = join(lab.dir, 'controller', 'lab-controller.log');
      const say = async (line: string) => {
        io.err(line);
        await appendFile(log, `${new Date().toISOString()} ${line}\n`).catch(() => undefined);
      };
      await say(`lab controller (pid ${process.pid}) watching the API server of ${lab.dir} (Ctrl-C stops)`);
      try {
        await ctl.watch(io.signal, (e) => void say(`reconcile failed: ${e.message}`));
      } finally {
        await rm(pidfile, { force: true });
      }
      return 0;
    },
  },
  {
    path: ['lab', 'env'],
    summary: 'print shell exports pointing ovn-nbctl, ovn-sbctl, ovnlab nb/trace and kubectl at the lab',
    usage: 'lab env [--dir DIR]',
    options: dirOption,
    async run(v, _p, io) {
      const st = await labFrom(v, io).status();
      if (st.state === 'down') throw new UsageError(`no lab in ${st.dir}: run \`ovnlab lab up\` first`);
      const lines = [`export OVN_NB_DB=${st.nbRemote}`, `export OVN_SB_DB=${st.sbRemote}`];
      if (st.kubeconfig) lines.push(`export KUBECONFIG=${st.kubeconfig}`);
      io.out(v.json ? JSON.stringify({ OVN_NB_DB: st.nbRemote, OVN_SB_DB: st.sbRemote, KUBECONFIG: st.kubeconfig }) : lines.join('\n'));
      return 0;
    },
  },
];
