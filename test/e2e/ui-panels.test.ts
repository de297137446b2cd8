// The Flows and Trace panels in the real editor on the local lab (seed 003): open Flows on the
// gateway node, mark, ping the EIP from `outside`, and the NAT flows light up with Δ ≥ the pings;
// their detail names the NAT row and the VM. The trace VM → EIP agrees with ovn-trace and
// ovn-detrace and goes through the gateway node; the pod-IP path is traced beside it.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { FrameLocator } from 'playwright-core';
import { checkEnvironment, outputRoot, repoRoot, UiSuite, type UiSession } from './harness';

const CLI = join(repoRoot, 'bin', 'ovnlab.mjs');
const PINGS = 5;
const GATEWAY = 'ovnlab-control-plane';

async function cli(args: string[], timeout = 180_000) {
  return execa('node', [CLI, ...args], { cwd: repoRoot, timeout, reject: false, all: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('real editor: Flows and Trace panels on the local lab', { timeout: 600_000 }, () => {
  const suite = new UiSuite('ui-panels');
  const uiTest = (name: string, fn: (s: UiSession) => Promise<void>) => suite.test(name, fn);
  let stateHome = '';
  let labDir = '';
  let labUp = false;

  before(async () => {
    const check = checkEnvironment();
    if (!check.ok) return;
    if (process.getuid?.() !== 0) {
      suite.skipWhy = 'the local lab with network namespaces (ping from outside) needs root';
      return;
    }
    stateHome = mkdtempSync(join(tmpdir(), 'ovnlab-panels-'));
    labDir = join(stateHome, 'ovnlab', 'lab');
    const up = await cli(['lab', 'up', '--dir', labDir]);
    labUp = true;
    assert.equal(up.exitCode, 0, `lab up failed:\n${up.all}`);
    const apply = await cli(['lab', 'apply', '-f', join(repoRoot, 'labs', 'samples', 'seed-003-eip.yaml'), '--dir', labDir]);
    assert.equal(apply.exitCode, 0, `lab apply failed:\n${apply.all}`);
    // the extension finds the lab in its default directory under XDG_STATE_HOME
    await suite.start({ env: check.env, files: { 'README.md': 'panels\n' }, processEnv: { XDG_STATE_HOME: stateHome } });
  });

  after(async () => {
    await suite.close();
    if (labUp) {
      const down = await cli(['lab', 'down', '--dir', labDir]);
      if (down.exitCode !== 0) console.log(`# lab down failed: ${down.all}`);
    }
    if (stateHome) rmSync(stateHome, { recursive: true, force: true });
  });

  const runWithRetry = async (s: UiSession, title: string) => {
    for (let i = 0; ; i++) {
      try {
        return await s.workbench.runCommand(title);
      } catch (e) {
        if (i >= 3) throw e;
        await s.workbench.page.keyboard.press('Escape');
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
  };

  /** The panel's document: the webview iframe, then its active frame. */
  const webview = (s: UiSession, title: string): FrameLocator =>
    s.workbench.page.frameLocator(`iframe.webview.ready[title="${title}"], iframe.webview.ready`).last().frameLocator('#active-frame');

  uiTest('Flows on the gateway node: pinging the EIP from outside lights up the NAT flows with Δ ≥ the pings, detail names the NAT row and the VM', async (s) => {
    const w = s.workbench;
    const page = w.page;
    // the container opens once the extension is active, so its commands are in the palette
    await w.openViewContainer('ovnlab');
    await runWithRetry(s, 'Show Flows on This Node');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: GATEWAY }).first().click({ timeout: 30_000 });
    const f = webview(s, `Flows: ${GATEWAY}`);
    await f.locator('.status', { hasText: /\d+ flows, refreshed/ }).waitFor({ timeout: 60_000 });
    const filter = f.locator('vscode-textfield.filter input');
    await filter.fill('192.168.100.101');
    await f.locator('.row:not(.head) .c-match', { hasText: 'nw_dst=192.168.100.101' }).first().waitFor({ timeout: 20_000 });
    await f.locator('vscode-button.mark').click();
    // a fresh ARP: the gateway's ARP responder answers it
    await cli(['lab', 'exec', 'outside', '--dir', labDir, '--', 'ip', 'neigh', 'flush', 'all']);
    const ping = await cli(['lab', 'exec', 'outside', '--dir', labDir, '--', 'ping', '-c', String(PINGS), '-i', '0.2', '-W', '2', '192.168.100.101'], 60_000);
    assert.match(ping.all ?? '', new RegExp(`${PINGS} received`), `ping from outside failed:\n${ping.all}`);
    // the NAT flow of table 12-ish: ct(…nat) for 192.168.100.101, Δ since the mark ≥ the pings
    const natRow = f.locator('.row.hit').filter({ has: f.locator('.c-actions', { hasText: /ct\(.*nat/ }) }).filter({ has: f.locator('.c-match', { hasText: 'nw_dst=192.168.100.101' }) });
    await natRow.first().waitFor({ timeout: 15_000 });
    // OpenFlow counters lag about a second behind the packets: wait for the refreshes to catch up
    let hits: { table: number; delta: number; actions: string }[] = [];
    let natHits: typeof hits = [];
    for (const until = Date.now() + 20_000; Date.now() < until && natHits.length === 0;) {
      hits = await natRow.evaluateAll((rows) => rows.map((r) => ({
        table: Number(r.querySelector('.c-table')?.textContent), delta: Number((r.querySelector('.c-delta')?.textContent ?? '').replace('+', '')), actions: r.querySelector('.c-actions')?.textContent ?? '',
      })));
      natHits = hits.filter((h) => h.table >= 10 && h.table <= 16 && h.delta >= PINGS);
      if (natHits.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(natHits.length >= 1, `no ct(…nat) flow in tables 10-16 with Δ ≥ ${PINGS}: ${JSON.stringify(hits)}`);
    const arp = f.locator('.row.hit').filter({ has: f.locator('.c-match', { hasText: /arp.*arp_tpa=192\.168\.100\.101/ }) });
    await arp.first().waitFor({ timeout: 10_000 });
    // the detail of the NAT flow: logical flow, the NAT row, the VM that owns it
    const target = natRow.filter({ has: f.locator('.c-table', { hasText: new RegExp(`^${natHits[0].table}$`) }) }).first();
    await target.click();
    const detail = f.locator('.detail');
    await detail.locator('.lflow-head').first().waitFor({ timeout: 20_000 });
    await detail.locator('a.link', { hasText: /^NAT: external IP 192\.168\.100\.101/ }).first().waitFor({ timeout: 10_000 });
    await detail.locator('a.link', { hasText: 'VirtualMachine default/testvm' }).first().waitFor({ timeout: 10_000 });
    const shot = await w.screenshot('ui-panels-flows');
    mkdirSync(join(repoRoot, 'docs', 'media'), { recursive: true });
    copyFileSync(shot, join(repoRoot, 'docs', 'media', 'flows-panel.png'));
    // keyboard: the table takes focus and moves the selection
    await f.locator('.viewport').focus();
    await page.keyboard.press('Home');
    await f.locator('.row.selected').first().waitFor({ timeout: 5_000 });
  });

  uiTest('Trace: VM → EIP agrees with ovn-trace and ovn-detrace and goes through the gateway node; the pod-IP path beside it', async (s) => {
    const w = s.workbench;
    await w.page.keyboard.press('Escape');
    await runWithRetry(s, 'Trace from This VM');
    // from the palette the source is asked for; the last choice is an empty panel to fill in
    await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Empty Trace panel' }).first().click({ timeout: 30_000 });
    const f = webview(s, 'Trace');
    const slots = f.locator('section.trace-slot');
    const a = slots.nth(0);
    const b = slots.nth(1);
    await a.locator('vscode-textfield').nth(0).locator('input').fill('vm2.default');
    await a.locator('vscode-textfield').nth(1).locator('input').fill('192.168.100.101');
    await a.locator('vscode-button').click();
    await a.locator('.trace h3').first().waitFor({ timeout: 90_000 });
    await b.locator('vscode-textfield').nth(0).locator('input').fill('vm2.default');
    await b.locator('vscode-textfield').nth(1).locator('input').fill('10.16.0.2');
    await b.locator('vscode-button').click();
    await b.locator('.trace h3').first().waitFor({ timeout: 90_000 });
    const chassisA = await a.locator('.trace').first().locator('.chassis .chassis-hop').allInnerTexts();
    assert.ok(chassisA.includes(GATEWAY), `the EIP path should reach the gateway node ${GATEWAY}: ${chassisA.join(' → ')}`);
    // the panel's stages are ovn-trace's stages, in order
    const first = a.locator('.trace').first();
    const panelStages = (await first.locator('.stage-head').allInnerTexts()).map((t) => /\(lflow ([0-9a-f]+)\)/.exec(t)?.[1]);
    const raw = await first.locator('details.raw pre').allTextContents();
    // the same input built here from what the panel shows: kubectl ko trace's microflow
    const ends = /^(\S+) \((\S+)\) → (\S+), dst MAC (\S+):/.exec(await first.locator('.mono').first().innerText());
    assert.ok(ends, 'the panel shows the endpoints');
    const micro = `inport == "vm2.default" && eth.src == ${ends[2]} && ip4.src == ${ends[1]} && eth.dst == ${ends[4]} && ip4.dst == ${ends[3]} && ip.ttl == 64 && icmp4.type == 8`;
    const sb = `unix:${join(labDir, 'central', 'run', 'ovnsb_db.sock')}`;
    const nb = `unix:${join(labDir, 'central', 'run', 'ovnnb_db.sock')}`;
    const ours = await execa('ovn-trace', [`--db=${sb}`, '--detailed', '--ct=new', 'ovn-default', micro], { reject: false });
    assert.equal(ours.exitCode, 0, ours.stderr);
    const traced = [...ours.stdout.matchAll(/^\s*\d+\. [a-z_0-9]+ .*, uuid ([0-9a-f]+)$/gm)].map((m) => m[1]);
    assert.deepEqual(panelStages, traced, 'the panel lists the stages ovn-trace prints for the same microflow');
    // ovn-detrace on the same ofproto/trace output names the NAT rule the panel shows
    const detrace = await execa('ovn-detrace', [`--ovnnb=${nb}`, `--ovnsb=${sb}`], { input: raw[1], reject: false });
    assert.equal(detrace.exitCode, 0, detrace.stderr);
    const natLine = /NAT: external IP 192\.168\.100\.101/.test(detrace.stdout);
    const panelNat = await first.locator('.nb a.link', { hasText: /NAT: external IP 192\.168\.100\.101/ }).count();
    assert.equal(panelNat > 0, natLine, `ovn-detrace ${natLine ? 'names' : 'does not name'} the NAT row; the panel ${panelNat > 0 ? 'does' : 'does not'}`);
    // ovn-detrace prints each cookie's logical flow as `Logical flow: table=N (stage), priority=P`
    const detraced = new Set([...detrace.stdout.matchAll(/Logical flow: table=\d+ \(([a-z_0-9]+)\), priority=(\d+)/g)].map((m) => `${m[1]} ${m[2]}`));
    assert.ok(detraced.size > 5, `ovn-detrace explained ${detraced.size} logical flows:\n${detrace.stdout.slice(0, 2000)}`);
    const panelWithOf = await first.locator('.stage').evaluateAll((els) => els.filter((e) => e.querySelector('.of-steps')).map((e) => {
      const m = /^\d+\. ([a-z_0-9]+) priority (\d+)/.exec(e.querySelector('.stage-head')?.textContent ?? '');
      return m ? `${m[1]} ${m[2]}` : '';
    }));
    assert.ok(panelWithOf.length > 5, 'the panel places OpenFlow steps under stages');
    for (const st of panelWithOf) assert.ok(detraced.has(st), `stage ${st} has OpenFlow steps in the panel but ovn-detrace explains no such logical flow`);
    const chassisB = await b.locator('.trace').first().locator('.chassis .chassis-hop').allInnerTexts();
    assert.ok(!chassisB.includes(GATEWAY) || chassisA.length !== chassisB.length, `the pod-IP path differs from the EIP path: ${chassisB.join(' → ')}`);
    await b.locator('.trace h3', { hasText: /^Reply:/ }).first().waitFor({ timeout: 30_000 });
    // a trace to an IP nobody owns: a clear message, the last good trace stays
    await b.locator('vscode-textfield').nth(1).locator('input').fill('10.16.0.200');
    await b.locator('vscode-button').click();
    await b.locator('.error-banner:not([hidden])').waitFor({ timeout: 60_000 });
    assert.ok(await b.locator('.trace h3').count() > 0, 'the last good trace stays');
    const shot = await w.screenshot('ui-panels-trace');
    copyFileSync(shot, join(repoRoot, 'docs', 'media', 'trace-panel.png'));
    console.log(`# screenshots in ${outputRoot}`);
  });

  uiTest('Trace from the palette: pick the VM, then the destination among the EIP (first) and the same-switch ports with their owners; a bad IP is refused; the pick is traced', async (s) => {
    const w = s.workbench;
    const page = w.page;
    await page.keyboard.press('Escape');
    // the earlier tests' panels go first: the new Trace panel must be the only one to read back
    await runWithRetry(s, 'View: Close All Editors');
    await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 10_000 });
    await runWithRetry(s, 'Trace from This VM');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    // the sources: the VM ports the NB knows, with their IPs
    await rows.filter({ hasText: /^testvm\.default/ }).first().click({ timeout: 30_000 });
    // the destinations come from the NB: the EIP first, with what it maps to
    await rows.filter({ hasText: 'port vm2.default' }).first().waitFor({ timeout: 30_000 });
    const first = await rows.first().innerText();
    assert.match(first, /^192\.168\.100\.101[\s\S]*EIP → 10\.16\./, `the first destination is testvm's EIP: ${first}`);
    // a typed IP that is not one: its message shows and Enter keeps the picker open
    const input = page.locator('.quick-input-widget input.input');
    await input.fill('10.16.0.300');
    await rows.filter({ hasText: '10.16.0.300' }).first().waitFor({ timeout: 10_000 });
    const bad = await rows.first().innerText();
    assert.doesNotMatch(bad, /trace to this IP/, `a bad IP is not offered for tracing: ${bad}`);
    await page.keyboard.press('Enter');
    await sleep(500);
    assert.ok(await page.locator('.quick-input-widget').isVisible(), 'the picker stays open on a bad IP');
    await input.fill('');
    const vm2 = rows.filter({ hasText: 'port vm2.default' }).first();
    const vm2Ip = /^10\.16\.\d+\.\d+/.exec(await vm2.innerText())?.[0] ?? '';
    assert.ok(vm2Ip, 'vm2\'s IP is offered');
    await vm2.click();
    await rows.filter({ hasText: 'tcp 80' }).first().click({ timeout: 10_000 });
    // a new Trace panel, filled in and traced
    const f = webview(s, 'Trace');
    const a = f.locator('section.trace-slot').nth(0);
    await a.locator('.trace h3').first().waitFor({ timeout: 90_000 });
    assert.equal(await a.locator('vscode-textfield').nth(0).locator('input').inputValue(), 'testvm.default');
    assert.equal(await a.locator('vscode-textfield').nth(1).locator('input').inputValue(), vm2Ip);
  });
});
