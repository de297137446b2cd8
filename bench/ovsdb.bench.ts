// OVSDB read speed against the tool itself: a real NB ovsdb-server holds 10k Kube-OVN-shaped
// logical switch ports (addresses, port security, external_ids, options) in 10 switches; the
// baseline is the time `ovn-nbctl list Logical_Switch_Port` takes to read and print them, the
// value the time our client takes to connect, fetch the schema, monitor the table and hold every
// row decoded in its cache. Both are the median of RUNS runs in this one process; ovn-northd is
// stopped first so it does not compete for the CPU while the table is read.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { startOvnCentral, stopByPidfile, daemonEnv, type OvnCentral } from '../src/lab/local/ovn-daemons';
import { OvsdbClient, Operations, namedUuid, type NbTables, type Operation } from '../src/ovn/ovsdb/index';
import { result, type BenchResult } from './result';

const PORTS = Number(process.env.OVNLAB_BENCH_LSPS ?? 10_000);
const SWITCHES = 10;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, '0');

/** 10 switches of PORTS/10 ports each, in one transaction per switch. */
async function populate(client: OvsdbClient<NbTables>): Promise<void> {
  const op = new Operations<NbTables>();
  const per = Math.ceil(PORTS / SWITCHES);
  for (let s = 0; s < SWITCHES; s++) {
    const ops: Operation[] = [];
    const names = [];
    for (let i = 0; i < per && s * per + i < PORTS; i++) {
      const n = s * per + i;
      const ip = `10.${16 + s}.${(i >> 8) & 0xff}.${i & 0xff}`;
      const mac = `0a:58:0a:${hex2(16 + s)}:${hex2(i >> 8)}:${hex2(i)}`;
      const name = `vm${n}.ns${s}`;
      names.push(namedUuid(`p${n}`));
      ops.push(
        op.insert('Logical_Switch_Port', {
          name,
          addresses: [`${mac} ${ip}`],
          port_security: [`${mac} ${ip}`],
          external_ids: { pod: `ns${s}/vm${n}`, ls: `subnet${s}`, vendor: 'kube-ovn', ip, attach: 'false' },
          options: { requested_chassis: `node${n % 3}` },
        }, `p${n}`),
      );
    }
    ops.push(op.insert('Logical_Switch', { name: `subnet${s}`, ports: names, external_ids: { vendor: 'kube-ovn' } }));
    await client.transact(ops, { timeoutMs: 120_000 });
  }
}

export default async function bench(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-bench-ovsdb-'));
  let central: OvnCentral | undefined;
  try {
    central = await startOvnCentral(join(dir, 'central'));
    await stopByPidfile(join(dir, 'central', 'run', 'ovn-northd.pid'), dir);
    const remote = central.nbRemote;
    const writer = await OvsdbClient.connect<NbTables>({ remote, database: 'OVN_Northbound', requestTimeoutMs: 120_000 });
    await populate(writer);
    writer.close();

    const nbctl: number[] = [];
    const ours: number[] = [];
    let nbctlNames = 0;
    for (let r = 0; r < RUNS; r++) {
      // alternate so neither side always runs on a warmer server
      let t = performance.now();
      const out = await execa('ovn-nbctl', [`--db=${remote}`, 'list', 'Logical_Switch_Port'], { env: daemonEnv(central.dir), maxBuffer: 1 << 30 });
      nbctl.push(performance.now() - t);
      nbctlNames = out.stdout.match(/^name\s+: "?vm/gm)?.length ?? 0;

      t = performance.now();
      const c = await OvsdbClient.connect<NbTables>({ remote, database: 'OVN_Northbound', requestTimeoutMs: 120_000, probeIntervalMs: 0 });
      await c.monitor(['Logical_Switch_Port']);
      const n = c.rows('Logical_Switch_Port').size;
      ours.push(performance.now() - t);
      c.close();
      if (n !== PORTS) throw new Error(`the cache holds ${n} ports, expected ${PORTS}`);
    }
    // ovn-nbctl prints one `name : "vm…"` line per port: check it really listed them all
    if (nbctlNames !== PORTS) throw new Error(`ovn-nbctl listed ${nbctlNames} ports, expected ${PORTS}`);
    return [result(`OVSDB monitor of ${PORTS} logical switch ports to a ready cache (vs ovn-nbctl list)`, median(ours), median(nbctl), 'ms', 1.0)];
  } finally {
    await central?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
