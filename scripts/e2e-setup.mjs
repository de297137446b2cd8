#!/usr/bin/env node
// Installs what the real-editor tests need into a cache outside the repo, once:
//   - Node 24 from the npm package `node` (code-server >= 4.133 needs Node 24),
//   - code-server 4.139.1 (= VS Code 1.139.1) from npm, run on that Node,
// and checks the two things that come from apt (a CI step, not ours to install by default):
//   - /usr/bin/chromium  (apt-get install chromium), driven headless by playwright-core,
//   - libkrb5-dev        (code-server's native `kerberos` module compiles at install).
// Idempotent: a step whose result already works is skipped. Writes <cache>/env.json, which
// test/e2e/harness.ts reads to find the binaries.
//
// usage: node scripts/e2e-setup.mjs [--apt]   (--apt: apt-get install the missing apt packages; needs root)
// env:   OVNLAB_E2E_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/ovnlab/e2e), CHROMIUM (default /usr/bin/chromium)
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';

const cache = process.env.OVNLAB_E2E_CACHE
  ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ovnlab', 'e2e');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const withApt = process.argv.includes('--apt');

const t0 = Date.now();
const secs = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
function say(msg) { console.log(`[e2e-setup ${secs(t0)}] ${msg}`); }

async function step(name, isDone, run) {
  const s = Date.now();
  if (await isDone()) { say(`${name}: already there`); return; }
  say(`${name}: installing…`);
  await run();
  if (!(await isDone())) throw new Error(`${name}: installed but the check still fails: ${lastCheckError || 'unexpected version'}`);
  say(`${name}: done in ${secs(s)}`);
}

let lastCheckError = '';
async function versionOf(cmd, args, env) {
  try { return (await execa(cmd, args, { env, timeout: 120_000 })).stdout.trim(); }
  catch (e) { lastCheckError = e instanceof Error ? e.message : String(e); return ''; }
}

// npm refuses to install into a folder without a package.json of its own up the tree: give each prefix one,
// so nothing lands in the ovnlab checkout's package.json.
function ensurePrefix(dir) {
  mkdirSync(dir, { recursive: true });
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) writeFileSync(pj, JSON.stringify({ name: 'ovnlab-e2e-cache', private: true }, null, 2) + '\n');
}

async function aptMissing() {
  const missing = [];
  if (!existsSync(chromium)) missing.push('chromium');
  // kerberos' binding.gyp runs krb5-config and includes gssapi headers, both from libkrb5-dev
  if (!existsSync('/usr/include/gssapi/gssapi.h') || !existsSync('/usr/bin/krb5-config')) missing.push('libkrb5-dev');
  return missing;
}

async function main() {
  say(`cache: ${cache}`);
  let missing = await aptMissing();
  if (missing.length && withApt) {
    const s = Date.now();
    say(`apt-get install ${missing.join(' ')}…`);
    await execa('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    await execa('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { DEBIAN_FRONTEND: 'noninteractive' } });
    say(`apt packages installed in ${secs(s)}`);
    missing = await aptMissing();
  }
  if (missing.length) {
    throw new Error(`missing apt packages: ${missing.join(' ')}. Run \`apt-get install -y ${missing.join(' ')}\` ` +
      '(or `node scripts/e2e-setup.mjs --apt` as root), then run this script again.');
  }
  say(`chromium: ${await versionOf(chromium, ['--version'])}`);

  const nodePrefix = join(cache, 'node24');
  const node = join(nodePrefix, 'node_modules', 'node', 'bin', 'node');
  await step(`node@${NODE_MAJOR}`,
    async () => (await versionOf(node, ['-v'])).startsWith(`v${NODE_MAJOR}.`),
    async () => {
      ensurePrefix(nodePrefix);
      await execa('npm', ['--prefix', nodePrefix, 'install', '--no-audit', '--no-fund', `node@${NODE_MAJOR}`], { stdio: 'inherit' });
    });
  const nodeVersion = await versionOf(node, ['-v']);
  say(`node: ${node} ${nodeVersion}`);

  const csPrefix = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const csEntry = join(csPrefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  // Node 24 first on PATH: npm's shebang and code-server's postinstall (which builds lib/vscode's
  // native modules for the Node it runs on) must see Node 24, not the system Node 20.
  const env24 = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  // node-gyp would download the Node headers, which the machine cannot; point it at headers that are
  // here (Debian's nodejs ships them under /usr/include/node). The modules code-server builds use
  // N-API / node-addon-api, so headers of another major still give a working binary.
  if (!process.env.npm_config_nodedir) {
    const nodedir = ['/usr', '/usr/local'].find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
    if (!nodedir) throw new Error('no Node headers found under /usr/include/node or /usr/local/include/node: install Debian\'s nodejs (or set npm_config_nodedir to a Node source/headers tree)');
    env24.npm_config_nodedir = nodedir;
  }
  await step(`code-server@${CODE_SERVER_VERSION}`,
    async () => (await versionOf(node, [csEntry, '--version'], env24)).startsWith(CODE_SERVER_VERSION),
    async () => {
      ensurePrefix(csPrefix);
      say(`  npm_config_nodedir=${env24.npm_config_nodedir ?? '(preset)'}; log: ${join(csPrefix, 'install.log')}`);
      const r = await execa('npm', ['--prefix', csPrefix, 'install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
        { env: env24, all: true, reject: false });
      writeFileSync(join(csPrefix, 'install.log'), r.all ?? '');
      if (r.exitCode !== 0) {
        console.error((r.all ?? '').split('\n').slice(-40).join('\n'));
        throw new Error(`npm install code-server failed (exit ${r.exitCode}); full log in ${join(csPrefix, 'install.log')}`);
      }
    });
  const csVersion = (await versionOf(node, [csEntry, '--version'], env24)).split('\n')[0];
  say(`code-server: ${csVersion}`);

  const envFile = join(cache, 'env.json');
  const env = { node, nodeVersion, codeServerEntry: csEntry, codeServerVersion: csVersion, chromium, writtenAt: new Date().toISOString() };
  const before = existsSync(envFile) ? readFileSync(envFile, 'utf8') : '';
  writeFileSync(envFile, JSON.stringify(env, null, 2) + '\n');
  say(`${before ? 'updated' : 'wrote'} ${envFile}`);
  say(`ready in ${secs(t0)}`);
}

main().catch((e) => {
  console.error(`[e2e-setup] FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
