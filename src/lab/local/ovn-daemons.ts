// Starts and stops the real OVN/OVS daemons from the distribution without systemd:
// OVN central (NB + SB ovsdb-server, ovn-northd) and chassis (ovsdb-server, ovs-vswitchd on the
// userspace datapath, ovn-controller), each in its own directory (OVS_RUNDIR/OVN_RUNDIR…) and,
// for chassis, optionally inside a network namespace so the netdev datapath's tap devices
// (br-int, ovs-netdev…) of several chassis never clash in the host's namespace.
// Every daemon is --detach --pidfile; stopping kills by pidfile after checking the pid still
// belongs to a process started from that directory.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const NB_SCHEMA = '/usr/share/ovn/ovn-nb.ovsschema';
export const SB_SCHEMA = '/usr/share/ovn/ovn-sb.ovsschema';
export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

export type DatapathType = 'netdev' | 'dummy';

/** The per-directory environment OVS and OVN tools read to find their sockets and files. */
export function daemonEnv(dir: string): Record<string, string> {
  const run = join(dir, 'run');
  return {
    OVS_RUNDIR: run, OVS_LOGDIR: join(dir, 'log'), OVS_DBDIR: join(dir, 'db'), OVS_SYSCONFDIR: join(dir, 'etc'),
    OVN_RUNDIR: run, OVN_LOGDIR: join(dir, 'log'), OVN_DBDIR: join(dir, 'db'), OVN_SYSCONFDIR: join(dir, 'etc'),
  };
}

/** Runs tools with a daemon directory's environment, inside a network namespace when given. */
export class DaemonShell {
  constructor(readonly dir: string, readonly netns?: string) {}

  get env(): Record<string, string> {
    return daemonEnv(this.dir);
  }

  /** Runs `cmd args…` and returns stdout; a failure throws with the tool's stderr. */
  async run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
    const [file, argv] = this.netns ? ['ip', ['netns', 'exec', this.netns, cmd, ...args]] : [cmd, args];
    const r = await execa(file, argv, {
      env: this.env,
      timeout: opts.timeoutMs ?? 30_000,
      input: opts.input,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (r.exitCode !== 0 || r.failed) {
      const why = (r.stderr || r.message || '').trim().split('\n').slice(-5).join('\n');
      throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.exitCode ?? 'none'}): ${why}`);
    }
    return r.stdout;
  }

  async mkdirs(): Promise<void> {
    for (const d of ['run', 'log', 'db', 'etc']) await mkdir(join(this.dir, d), { recursive: true });
  }

  path(...p: string[]): string {
    return join(this.dir, ...p);
  }
}


/** Kills the daemon recorded in `pidfile` if it still runs from `marker`'s directory. */
export async function stopByPidfile(pidfile: string, marker: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidfile, 'utf8')).trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !(await pidRunsFrom(pid, marker))) return undefined;
  await terminate(pid);
  return pid;
}

/**
 * Stops the OVS `--monitor` processes started from `marker`'s directory; call it before the
 * daemons' pidfiles, or a monitor whose daemon just crashed restarts it after the stop. A monitor
 * renames itself ("ovn-controller: monitoring pid N") and its daemon may be gone with its pidfile,
 * so it is known by its environment: OVS_RUNDIR under the directory (see daemonEnv).
 */
export async function stopMonitors(marker: string): Promise<number[]> {
  const stopped: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    try {
      if (!(await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(': monitoring pid ')) continue;
      const env = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
      if (!env.some((v) => v.startsWith('OVS_RUNDIR=') && v.slice('OVS_RUNDIR='.length).startsWith(`${marker}/`))) continue;
    } catch {
      continue; // gone meanwhile
    }
    await terminate(pid);
    stopped.push(pid);
  }
  return stopped;
}

/** SIGTERM, then SIGKILL after 5 s; returns once the process is gone. */
async function terminate(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 20 && isAlive(pid); i++) await sleep(50);
}

/** Whether the daemon in `pidfile` runs, from `marker`'s directory (not a reused pid). */
export async function daemonAlive(pidfile: string, marker: string): Promise<boolean> {
  try {
    const pid = Number.parseInt((await readFile(pidfile, 'utf8')).trim(), 10);
    return isAlive(pid) && (await pidRunsFrom(pid, marker));
  } catch {
    return false;
  }
}

export async function pidRunsFrom(pid: number, marker: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a detached daemon that exited stays a zombie until init reaps it (seconds in some
  // containers): it is gone for our purposes
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Checks the distribution's OVN/OVS tools are installed; says what to install when not. */
export async function checkOvnInstalled(): Promise<void> {
  const missing = ['ovsdb-server', 'ovs-vswitchd', 'ovn-northd', 'ovn-controller', 'ovn-nbctl', 'ovs-vsctl'].filter(
    (b) => !['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, b))),
  );
  if (missing.length > 0) {
    throw new Error(
      `OVN/Open vSwitch tools not found (${missing.join(', ')}): install them with ` +
        '`apt-get install ovn-central ovn-host openvswitch-switch` (Debian/Ubuntu), then retry.',
    );
  }
}

export interface OvnCentral {
  dir: string;
  nbRemote: string;
  sbRemote: string;
  nbctl(args: string[]): Promise<string>;
  sbctl(args: string[]): Promise<string>;
  /** kills and restarts the NB ovsdb-server on the same socket and database file */
  restartNb(): Promise<void>;
  stopNb(): Promise<void>;
  startNb(): Promise<void>;
  stop(): Promise<void>;
}

/** NB + SB ovsdb-server and ovn-northd in `dir` (host namespace; unix sockets reach every namespace). */
export async function startOvnCentral(dir: string): Promise<OvnCentral> {
  await checkOvnInstalled();
  const sh = new DaemonShell(dir);
  await sh.mkdirs();
  const nbRemote = `unix:${sh.path('run', 'ovnnb_db.sock')}`;
  const sbRemote = `unix:${sh.path('run', 'ovnsb_db.sock')}`;
  const startDb = async (db: 'nb' | 'sb') => {
    await sh.run('ovsdb-server', [
      '-vconsole:off', '--detach', '--no-chdir',
      `--pidfile=${sh.path('run', `ovn${db}_db.pid`)}`,
      `--log-file=${sh.path('log', `ovsdb-server-${db}.log`)}`,
      `--unixctl=${sh.path('run', `ovn${db}_db.ctl`)}`,
      `--remote=punix:${sh.path('run', `ovn${db}_db.sock`)}`,
      sh.path('db', `ovn${db}_db.db`),
    ]);
  };
  const central: OvnCentral = {
    dir, nbRemote, sbRemote,
    nbctl: (args) => sh.run('ovn-nbctl', [`--db=${nbRemote}`, ...args]),
    sbctl: (args) => sh.run('ovn-sbctl', [`--db=${sbRemote}`, ...args]),
    stopNb: async () => void (await stopByPidfile(sh.path('run', 'ovnnb_db.pid'), dir)),
    startNb: () => startDb('nb'),
    restartNb: async () => {
      await central.stopNb();
      await startDb('nb');
    },
    stop: async () => {
      for (const p of ['ovn-northd', 'ovnsb_db', 'ovnnb_db']) await stopByPidfile(sh.path('run', `${p}.pid`), dir);
    },
  };
  try {
    await sh.run('ovsdb-tool', ['create', sh.path('db', 'ovnnb_db.db'), NB_SCHEMA]);
    await sh.run('ovsdb-tool', ['create', sh.path('db', 'ovnsb_db.db'), SB_SCHEMA]);
    await startDb('nb');
    await startDb('sb');
    await central.nbctl(['--no-wait', 'init']);
    await central.sbctl(['init']);
    await sh.run('ovn-northd', [
      '-vconsole:off', '--detach', '--no-chdir',
      `--pidfile=${sh.path('run', 'ovn-northd.pid')}`,
      `--log-file=${sh.path('log', 'ovn-northd.log')}`,
      `--unixctl=${sh.path('run', 'ovn-northd.ctl')}`,
      `--ovnnb-db=${nbRemote}`, `--ovnsb-db=${sbRemote}`,
    ]);
    // returns once ovn-northd has filled the SB (SB_Global's options among it): Debian's 23.03
    // ovn-controller dies of a SIGSEGV when it connects to an SB that northd has not written yet
    await central.nbctl(['--timeout=20', '--wait=sb', 'sync']);
  } catch (e) {
    await central.stop();
    throw e;
  }
  return central;
}

export interface ChassisOptions {
  dir: string;
  /** system-id and hostname of the chassis (Kube-OVN uses the node name) */
  name: string;
  sbRemote: string;
  datapathType?: DatapathType;
  encapIp?: string;
  /** run every daemon of this chassis inside this (existing) network namespace */
  netns?: string;
  /** e.g. { external: 'br-ex' }: creates the bridges and sets ovn-bridge-mappings */
  bridgeMappings?: Record<string, string>;
  /** resolves when the SB is ready for ovn-controller (OVS starts before, in parallel with central) */
  sbReady?: Promise<unknown>;
}

export interface OvsChassis {
  name: string;
  dir: string;
  netns?: string;
  shell: DaemonShell;
  dbRemote: string;
  vsctl(args: string[]): Promise<string>;
  ofctl(args: string[]): Promise<string>;
  /** ovs-appctl against ovs-vswitchd */
  appctl(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** One emulated node: its own Open_vSwitch database, ovs-vswitchd and ovn-controller. */
export async function startChassis(o: ChassisOptions): Promise<OvsChassis> {
  await checkOvnInstalled();
  const dpt = o.datapathType ?? 'netdev';
  const sh = new DaemonShell(o.dir, o.netns);
  await sh.mkdirs();
  const dbSock = sh.path('run', 'db.sock');
  const dbRemote = `unix:${dbSock}`;
  const chassis: OvsChassis = {
    name: o.name, dir: o.dir, netns: o.netns, shell: sh, dbRemote,
    vsctl: (args) => sh.run('ovs-vsctl', [`--db=${dbRemote}`, ...args]),
    ofctl: (args) => sh.run('ovs-ofctl', args),
    appctl: (args) => sh.run('ovs-appctl', [`--target=${sh.path('run', 'ovs-vswitchd.ctl')}`, ...args]),
    stop: async () => {
      await stopMonitors(o.dir);
      for (const p of ['ovn-controller', 'ovs-vswitchd', 'ovsdb-server']) await stopByPidfile(sh.path('run', `${p}.pid`), o.dir);
      // the netdev datapath leaves its tap devices behind in the namespace it ran in
      if (!o.netns && dpt === 'netdev') {
        for (const l of ['br-int', 'ovs-netdev', ...Object.values(o.bridgeMappings ?? {})]) {
          await execa('ip', ['link', 'del', l], { reject: false });
        }
      }
    },
  };
  try {
    await sh.run('ovsdb-tool', ['create', sh.path('db', 'conf.db'), VSWITCH_SCHEMA]);
    await sh.run('ovsdb-server', [
      '-vconsole:off', '--detach', '--no-chdir',
      `--pidfile=${sh.path('run', 'ovsdb-server.pid')}`,
      `--log-file=${sh.path('log', 'ovsdb-server.log')}`,
      `--unixctl=${sh.path('run', 'ovsdb-server.ctl')}`,
      `--remote=punix:${dbSock}`,
      '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
      sh.path('db', 'conf.db'),
    ]);
    await chassis.vsctl(['--no-wait', 'init']);
    await sh.run('ovs-vswitchd', [
      dbRemote, '-vconsole:off', '--detach', '--no-chdir',
      `--pidfile=${sh.path('run', 'ovs-vswitchd.pid')}`,
      `--log-file=${sh.path('log', 'ovs-vswitchd.log')}`,
      `--unixctl=${sh.path('run', 'ovs-vswitchd.ctl')}`,
      ...(dpt === 'dummy' ? ['--enable-dummy'] : []),
    ]);
    const mappings = Object.entries(o.bridgeMappings ?? {});
    const args = [
      '--may-exist', 'add-br', 'br-int', '--', 'set', 'bridge', 'br-int', `datapath_type=${dpt}`, 'fail-mode=secure',
      'other-config:disable-in-band=true',
    ];
    for (const [, br] of mappings) args.push('--', '--may-exist', 'add-br', br, '--', 'set', 'bridge', br, `datapath_type=${dpt}`);
    args.push(
      '--', 'set', 'open', '.',
      `external_ids:system-id=${o.name}`, `external_ids:hostname=${o.name}`,
      `external_ids:ovn-remote=${o.sbRemote}`, 'external_ids:ovn-encap-type=geneve',
      `external_ids:ovn-encap-ip=${o.encapIp ?? '127.0.0.1'}`, `external_ids:ovn-bridge-datapath-type=${dpt}`,
    );
    if (mappings.length > 0) args.push(`external_ids:ovn-bridge-mappings=${mappings.map(([n, b]) => `${n}:${b}`).join(',')}`);
    await chassis.vsctl(args);
    await o.sbReady;
    // ovn-controller 23.03 has no --unixctl; its control socket is ovn-controller.<pid>.ctl in OVN_RUNDIR.
    // --monitor, as ovn-ctl starts it: a crashed ovn-controller is restarted (and the crash
    // logged) instead of the chassis silently no longer following the SB
    await sh.run('ovn-controller', [
      dbRemote, '-vconsole:off', '--detach', '--monitor', '--no-chdir',
      `--pidfile=${sh.path('run', 'ovn-controller.pid')}`,
      `--log-file=${sh.path('log', 'ovn-controller.log')}`,
    ]);
  } catch (e) {
    await chassis.stop();
    throw e;
  }
  return chassis;
}

/** Removes a daemon directory's run/db state (logs stay for post-mortems). */
export async function wipeState(dir: string): Promise<void> {
  await rm(join(dir, 'run'), { recursive: true, force: true });
  await rm(join(dir, 'db'), { recursive: true, force: true });
}
