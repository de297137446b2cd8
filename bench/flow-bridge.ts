// The bridge the flow benches measure against: a real ovs-vswitchd (userspace `dummy` datapath)
// in a throw-away network namespace and directory, with one bridge `brbench` (port p1, ofport 1)
// loaded through `ovs-ofctl add-flows` with OVN-shaped flows: the real flows ovn-controller
// installs for the sandbox topology (test/fixtures/ovn-output/dump-flows-br-int-no-stats.txt),
// copied for many datapaths (a distinct `metadata` per copy, as OVN gives each logical datapath).
// Timing helpers read /proc, so a bench can time ovs-vswitchd's CPU as well as its own.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startChassis, type OvsChassis } from '../src/lab/local/ovn-daemons';
import { addNetns, delNetns, canUseNetns } from '../src/lab/local/netns';
import { parseFlowDump, type Flow } from '../src/ovn/flow-dump';

const here = dirname(fileURLToPath(import.meta.url));

/** add-flows lines: the sandbox's real flows, one copy per fake datapath, until `n` lines. */
export function ovnLikeFlows(template: Flow[], n: number): string[] {
  const lines: string[] = [];
  for (let copy = 0; lines.length < n; copy++) {
    for (const f of template) {
      if (lines.length >= n) break;
      // each copy gets its own metadata range, keeping the original datapath's low bits
      const fields = f.matchFields.map((m) => {
        if (m.field !== 'metadata' || m.value === undefined) return m.value === undefined ? m.field : `${m.field}=${m.value}`;
        return `metadata=0x${((copy << 8) | Number(m.value)).toString(16)}`;
      });
      if (!f.matchFields.some((m) => m.field === 'metadata')) fields.push(`metadata=0x${(copy << 8).toString(16)}`);
      const cookie = `0x${((Number.parseInt(f.cookie, 16) ^ copy) >>> 0).toString(16)}`;
      lines.push(`cookie=${cookie},table=${f.table},priority=${f.priority},${fields.join(',')} actions=${f.actions}`);
    }
  }
  return lines;
}

/** CPU seconds (user + system) of a process, or of the children this process reaped, from /proc. */
export async function procCpu(pid: number | 'self-children'): Promise<number> {
  const stat = await readFile(`/proc/${pid === 'self-children' ? 'self' : pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) start at state, field 3
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = pid === 'self-children' ? Number(f[13]) + Number(f[14]) : Number(f[11]) + Number(f[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Waits until a process is idle (under 5% of a core over half a second, 30 s at most): after
 * `add-flows` of 100k flows ovs-vswitchd keeps working for a while, and a dump timed then
 * measures that work too.
 */
export async function waitForIdle(pid: number): Promise<void> {
  const end = performance.now() + 30_000;
  while (performance.now() < end) {
    const c0 = await procCpu(pid);
    await new Promise((r) => setTimeout(r, 500));
    if ((await procCpu(pid)) - c0 < 0.025) return;
  }
}

export interface FlowBridge {
  chassis: OvsChassis;
  /** the chassis' OVS_RUNDIR (brbench.mgmt, ovs-vswitchd.ctl) */
  runDir: string;
  vswitchd: number;
  /** seconds add-flows took */
  loadSeconds: number;
  close(): Promise<void>;
}

/** Starts ovs-vswitchd with `brbench` holding `flows` flows, and waits until it rests. */
export async function startFlowBridge(bench: string, flows: number): Promise<FlowBridge> {
  if (!canUseNetns()) throw new Error(`the ${bench} bench needs root (a network namespace for its ovs-vswitchd): run it as root, as CI does`);
  const id = randomBytes(3).toString('hex');
  const netns = `ovb${id}`;
  const dir = await mkdtemp(join(tmpdir(), `ovnlab-bench-${bench}-`));
  let chassis: OvsChassis | undefined;
  const close = async () => {
    await chassis?.stop().catch(() => undefined);
    await delNetns(netns).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  await addNetns(netns);
  try {
    // ovn-controller has no SB to talk to here: only ovs-vswitchd and the separate bridge matter
    chassis = await startChassis({ dir: join(dir, 'ovs'), name: `bench${id}`, sbRemote: `unix:${join(dir, 'no-sb.sock')}`, datapathType: 'dummy', netns });
    await chassis.vsctl(['add-br', 'brbench', '--', 'set', 'bridge', 'brbench', 'datapath_type=dummy', 'fail-mode=secure',
      '--', 'add-port', 'brbench', 'p1', '--', 'set', 'interface', 'p1', 'type=dummy', 'ofport_request=1']);
    const template = parseFlowDump(await readFile(join(here, '..', 'test', 'fixtures', 'ovn-output', 'dump-flows-br-int-no-stats.txt'), 'utf8'));
    if (template.errors.length > 0) throw new Error(`template flows do not parse: line ${template.errors[0].line}: ${template.errors[0].reason}`);
    const file = join(dir, 'flows.txt');
    const t0 = performance.now();
    await writeFile(file, ovnLikeFlows(template.flows, flows).join('\n') + '\n');
    await chassis.shell.run('ovs-ofctl', ['add-flows', 'brbench', file], { timeoutMs: 600_000 });
    const loadSeconds = (performance.now() - t0) / 1000;
    const runDir = join(dir, 'ovs', 'run');
    const vswitchd = Number((await readFile(join(runDir, 'ovs-vswitchd.pid'), 'utf8')).trim());
    await waitForIdle(vswitchd);
    return { chassis, runDir, vswitchd, loadSeconds, close };
  } catch (e) {
    await close();
    throw e;
  }
}
