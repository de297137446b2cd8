// The real-editor harness: code-server (VS Code 1.139 served to a browser) driven by Debian's
// chromium through playwright-core. Two modes:
//   - UI: install our .vsix, open a folder, drive the workbench (views, tree rows, CodeLens, palette);
//   - extension host: load the extension from the checkout and run a mocha suite inside the editor's
//     extension host, the way @vscode/test-electron does on desktop VS Code (payload URL +
//     smoke-test driver; the exit code comes back through window.codeAutomationExit).
// code-server and Node 24 come from scripts/e2e-setup.mjs (cached outside the repo); every run gets
// fresh user-data, extensions, browser-profile and XDG dirs under .test-output/e2e/<run>/, and every
// process it starts is stopped by process group.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { execa, type ResultPromise } from 'execa';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { killProcessGroup } from './process-group';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outputRoot = join(repoRoot, '.test-output', 'e2e');

// ---------------------------------------------------------------------------------------------
// What scripts/e2e-setup.mjs installed

export interface E2eEnvironment {
  node: string;
  codeServerEntry: string;
  codeServerVersion: string;
  chromium: string;
}

export type EnvironmentCheck = { ok: true; env: E2eEnvironment } | { ok: false; reason: string };

export function e2eCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OVNLAB_E2E_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ovnlab', 'e2e');
}

/** Finds code-server, Node 24 and chromium as the setup script left them, or says what is missing. */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentCheck {
  const file = join(e2eCacheDir(env), 'env.json');
  if (!existsSync(file)) return { ok: false, reason: `${file} is missing (code-server and Node 24 are not set up)` };
  let parsed: Partial<E2eEnvironment>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<E2eEnvironment>;
  } catch (e) {
    return { ok: false, reason: `${file} is not valid JSON: ${(e as Error).message}` };
  }
  const chromiumPath = env.CHROMIUM ?? parsed.chromium ?? '/usr/bin/chromium';
  const need: [string, string | undefined][] = [
    ['Node 24', parsed.node],
    ['code-server', parsed.codeServerEntry],
    ['chromium (apt-get install chromium)', chromiumPath],
  ];
  for (const [what, path] of need) {
    if (!path || !existsSync(path)) return { ok: false, reason: `${what} not found at ${path ?? '(unset)'}` };
  }
  return {
    ok: true,
    env: { node: parsed.node!, codeServerEntry: parsed.codeServerEntry!, codeServerVersion: parsed.codeServerVersion ?? '?', chromium: chromiumPath },
  };
}

interface SkipContext {
  skip(message?: string): void;
}

/**
 * The environment, or: with OVNLAB_E2E_OPTIONAL=1 the test is skipped with the reason printed;
 * otherwise it fails saying how to set the machine up. Returns undefined only when skipped.
 */
export function requireEnvironment(t: SkipContext, env: NodeJS.ProcessEnv = process.env): E2eEnvironment | undefined {
  const check = checkEnvironment(env);
  if (check.ok) return check.env;
  const howTo = 'run `node scripts/e2e-setup.mjs` (it needs `apt-get install chromium libkrb5-dev` first)';
  if (env.OVNLAB_E2E_OPTIONAL === '1') {
    t.skip(`real-editor test skipped (OVNLAB_E2E_OPTIONAL=1): ${check.reason}; ${howTo}`);
    return undefined;
  }
  throw new Error(`real-editor tests cannot run: ${check.reason}. To fix: ${howTo}, or set OVNLAB_E2E_OPTIONAL=1 to skip them.`);
}

// ---------------------------------------------------------------------------------------------
// Run directories and build steps

/** A fresh directory for one run under .test-output/e2e/. */
export function makeRunDir(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9._-]+/g, '-').slice(0, 60);
  const dir = join(outputRoot, `${safe}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function nodeBin(name: string): string {
  return join(repoRoot, 'node_modules', '.bin', name);
}

/** Builds dist/ and packages ovnlab.vsix into `outDir` (no dependencies: they are bundled). */
export async function buildVsix(outDir: string): Promise<string> {
  const vsix = join(outDir, 'ovnlab.vsix');
  await execa(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot });
  // README images are repository-relative (docs/media): no repository URL to rewrite them to, and vsce refuses them otherwise
  await execa(nodeBin('vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { cwd: repoRoot });
  return vsix;
}

/** Bundles test/e2e/suite/ to out/test/suite/*.cjs (the in-editor mocha suite); returns index.cjs. */
export async function buildExtensionSuite(): Promise<string> {
  await execa(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot });
  await execa(process.execPath, ['scripts/build-e2e-suite.mjs'], { cwd: repoRoot });
  return join(repoRoot, 'out', 'test', 'suite', 'index.cjs');
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// code-server

export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  // the test folders sit inside our checkout: no "open the parent repository?" toast over screenshots
  'git.openRepositoryInParentFolders': 'never',
};

export interface CodeServerOptions {
  env: E2eEnvironment;
  runDir: string;
  /** user settings on top of BASE_SETTINGS, e.g. { 'ovnlab.kubeconfig': '/tmp/kc' } */
  settings?: Record<string, unknown>;
  /** .vsix files installed with --install-extension before the server starts */
  vsix?: string[];
  /** enables ?payload= extensionDevelopmentPath/extensionTestsPath (extension-host tests) */
  smokeTestDriver?: boolean;
  userDataDir?: string;
  extensionsDir?: string;
  /** extra environment for code-server and so for the extension host */
  processEnv?: Record<string, string>;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly logFile: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  stop(): Promise<void>;
}

/**
 * The run's TMPDIR. Unix socket paths are limited to 108 bytes and chromium and VS Code put theirs
 * under TMPDIR, so it is a short directory in the system temp dir, not inside the run dir.
 */
export function runTmpDir(runDir: string): string {
  return join(tmpdir(), `ovnlab-e2e-${createHash('sha1').update(runDir).digest('hex').slice(0, 12)}`);
}

function isolatedEnv(runDir: string, extra: Record<string, string> = {}): Record<string, string> {
  // keep code-server's config, VS Code's IPC sockets and chromium's crash/dconf dirs to this run
  const tmp = runTmpDir(runDir);
  mkdirSync(tmp, { recursive: true });
  for (const d of ['xdg/config', 'xdg/data', 'xdg/cache']) mkdirSync(join(runDir, d), { recursive: true });
  return {
    TMPDIR: tmp,
    XDG_CONFIG_HOME: join(runDir, 'xdg', 'config'),
    XDG_DATA_HOME: join(runDir, 'xdg', 'data'),
    XDG_CACHE_HOME: join(runDir, 'xdg', 'cache'),
    ...extra,
  };
}

/**
 * What the extension would otherwise pick up from the developer's machine: a running lab's state
 * (XDG_STATE_HOME) and ~/.kube/config or $KUBECONFIG. A test that wants a cluster passes
 * `ovnlab.kubeconfig` in settings or KUBECONFIG in processEnv.
 */
function hermeticDefaults(runDir: string): Record<string, string> {
  mkdirSync(join(runDir, 'xdg', 'state'), { recursive: true });
  return { XDG_STATE_HOME: join(runDir, 'xdg', 'state'), KUBECONFIG: join(runDir, 'no-kubeconfig') };
}

function commonArgs(o: { userDataDir: string; extensionsDir: string }): string[] {
  return ['--user-data-dir', o.userDataDir, '--extensions-dir', o.extensionsDir, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'];
}

export async function installExtension(env: E2eEnvironment, dirs: { userDataDir: string; extensionsDir: string; runDir: string }, vsix: string): Promise<void> {
  const r = await execa(env.node, [env.codeServerEntry, ...commonArgs(dirs), '--install-extension', vsix], {
    env: isolatedEnv(dirs.runDir), all: true, reject: false, timeout: 180_000,
  });
  if (r.exitCode !== 0 || !/successfully installed/i.test(r.all ?? '')) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.exitCode}):\n${r.all}`);
  }
}

export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = o.userDataDir ?? join(o.runDir, 'user-data');
  const extensionsDir = o.extensionsDir ?? join(o.runDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // settings already in the profile (a caller of runTests may write them first) are kept
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  const existing = existsSync(settingsFile) ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
  const settings = { ...BASE_SETTINGS, ...existing, ...o.settings };
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  // code-server's workbench is a remote window: settings of scope machine / machine-overridable
  // (paths such as ovnlab.kubeconfig) are taken from the server's Machine settings, not User
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  for (const v of o.vsix ?? []) await installExtension(o.env, { userDataDir, extensionsDir, runDir: o.runDir }, v);

  const port = await freePort();
  const logFile = join(o.runDir, 'code-server.log');
  const config = join(o.runDir, 'code-server.yaml');
  writeFileSync(config, 'cert: false\n');
  const args = [o.env.codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', config, ...commonArgs({ userDataDir, extensionsDir })];
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  // detached = setsid(2): code-server leads a new session and process group, so stop() can kill
  // it together with the extension host and helpers it forks.
  const child: ResultPromise = execa(o.env.node, args, {
    detached: true, stdin: 'ignore', stdout: { file: logFile }, stderr: { file: logFile },
    env: isolatedEnv(o.runDir, { ...hermeticDefaults(o.runDir), ...o.processEnv }), reject: false, cleanup: false,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`code-server did not start; see ${logFile}`);
  let exited = false;
  void child.then(() => { exited = true; });

  const server: CodeServer = {
    url: `http://127.0.0.1:${port}`, port, pid, logFile, userDataDir, extensionsDir,
    stop: async () => {
      await killProcessGroup(pid);
      await child;
      rmSync(runTmpDir(o.runDir), { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited before it was ready:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${server.url}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server not ready after 60 s:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return server;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Browser

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(env: E2eEnvironment, runDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(runDir, 'chrome'), {
    executablePath: env.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...isolatedEnv(runDir) },
  });
}

// ---------------------------------------------------------------------------------------------
// The workbench, driven like a user

export class Workbench {
  constructor(readonly page: Page, private readonly shotsDir: string) {}

  /** Opens `folder` in the workbench and waits until it has rendered. */
  async open(server: CodeServer, folder: string): Promise<void> {
    // generous: on a loaded 2-core machine the first workbench load can take tens of seconds
    await this.page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'commit', timeout: 120_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  }

  /** The activity-bar entry of a view container, by its title. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item .action-label[aria-label="${title}"], .activitybar .action-item .action-label[aria-label^="${title} ("]`).first();
  }

  async openViewContainer(title: string): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ timeout: 60_000 });
    const checked = await item.locator('xpath=..').getAttribute('aria-selected').catch(() => null);
    if (checked !== 'true') await item.click();
  }

  /** The pane of a view in the side bar, by its name ("Lab", "Networks"…). */
  view(name: string): Locator {
    return this.page.locator('.part.sidebar .pane').filter({ has: this.page.locator(`.pane-header h3.title`, { hasText: new RegExp(`^${escapeRe(name)}$`, 'i') }) }).first();
  }

  async waitForView(name: string, timeout = 30_000): Promise<Locator> {
    const v = this.view(name);
    await v.waitFor({ timeout });
    return v;
  }

  /** Expands a collapsed view (panes other than the first may start collapsed). */
  async expandView(name: string): Promise<Locator> {
    const v = await this.waitForView(name);
    const header = v.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return v;
  }

  /** The visible rows of a view's tree, as their text. */
  async treeItems(name: string): Promise<string[]> {
    return (await this.view(name).locator('.monaco-list-row').allInnerTexts()).map((s) => s.trim());
  }

  /** The welcome content of a view: its text and button labels. */
  async welcome(name: string): Promise<{ text: string; buttons: string[] }> {
    const w = this.view(name).locator('.welcome-view-content');
    await w.waitFor({ timeout: 30_000 });
    return { text: (await w.innerText()).trim(), buttons: (await w.locator('.monaco-button').allInnerTexts()).map((s) => s.trim()) };
  }

  /** Runs a command by its palette title ("ovnlab: Show Log"). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
  }

  /** Opens a workspace file through Quick Open and waits for its editor (not just any editor). */
  async openFile(relativePath: string): Promise<Locator> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(relativePath);
    const base = relativePath.split('/').pop()!;
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().click({ timeout: 30_000 });
    // the chat input is a Monaco editor too: wait for the one showing this file
    const editor = this.page.locator(`.editor-group-container .monaco-editor[data-uri$="${relativePath}"]`).first();
    await editor.waitFor({ timeout: 30_000 });
    return editor;
  }

  async clickCodeLens(title: string): Promise<void> {
    const lens = this.page.locator('.codelens-decoration a', { hasText: title }).first();
    await lens.waitFor({ timeout: 15_000 });
    await lens.click();
  }

  /**
   * Waits until the Output panel shows the channel of `extensionId` with text matching `re`
   * (the channel must be the one on display, e.g. after the extension's "Show Log" command).
   */
  async waitForOutput(extensionId: string, re: RegExp, timeout = 20_000): Promise<string> {
    const editor = this.page.locator(`.part.panel .monaco-editor[data-uri^="output:"][data-uri*="${extensionId}"]`).first();
    const end = Date.now() + timeout;
    let text = '';
    for (;;) {
      text = (await editor.innerText({ timeout: Math.max(1, end - Date.now()) }).catch(() => '')).replace(/\u00a0/g, ' ');
      if (re.test(text)) return text;
      if (Date.now() > end) throw new Error(`output of ${extensionId} never matched ${re}; it shows:\n${text || '(nothing)'}`);
      await sleep(200);
    }
  }

  /**
   * Starts recording the renderer's long tasks (main-thread work over 50 ms) so a test can
   * measure whether the workbench stayed responsive while the extension did its work.
   */
  async recordLongTasks(): Promise<void> {
    // a string, not a function: this runs in the browser and the repo's TS lib has no DOM types
    await this.page.evaluate(`(() => {
      if (window.__ovnlabLongTasks) return;
      const tasks = (window.__ovnlabLongTasks = []);
      new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e.duration); }).observe({ type: 'longtask' });
    })()`);
  }

  /** Durations (ms) of the long tasks since recordLongTasks(), and clears them. */
  async takeLongTasks(): Promise<number[]> {
    return this.page.evaluate<number[]>('(window.__ovnlabLongTasks || []).splice(0)');
  }

  /** Milliseconds from pressing F1 until the command palette accepts input: the user-felt latency. */
  async paletteLatency(): Promise<number> {
    await this.page.keyboard.press('Escape');
    const start = Date.now();
    await this.page.keyboard.press('F1');
    await this.page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
    const ms = Date.now() - start;
    await this.page.keyboard.press('Escape');
    return ms;
  }

  /** Text of the visible notification toasts. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).map((s) => s.trim());
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(this.shotsDir, { recursive: true });
    const file = join(this.shotsDir, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// A UI session: code-server with our vsix + a browser on it; failures leave a screenshot.

export interface UiSession {
  server: CodeServer;
  browser: BrowserContext;
  workbench: Workbench;
  runDir: string;
  /** Runs `fn`; on failure saves a screenshot to .test-output/e2e/ and rethrows with its path. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Stops browser and code-server; removes the run dir when `keep` is false. */
  close(keep: boolean): Promise<void>;
}

export async function startUiSession(o: { env: E2eEnvironment; name: string; vsix: string; folder: string; settings?: Record<string, unknown>; processEnv?: Record<string, string> }): Promise<UiSession> {
  const runDir = makeRunDir(o.name);
  const server = await startCodeServer({ env: o.env, runDir, vsix: [o.vsix], settings: o.settings, processEnv: o.processEnv });
  let browser: BrowserContext;
  try {
    browser = await launchBrowser(o.env, runDir);
  } catch (e) {
    await server.stop();
    throw e;
  }
  const page = browser.pages()[0] ?? (await browser.newPage());
  const workbench = new Workbench(page, outputRoot);
  const session: UiSession = {
    server, browser, workbench, runDir,
    step: async (name, fn) => {
      try {
        return await fn();
      } catch (e) {
        let shot = '(no screenshot)';
        try { shot = await workbench.screenshot(`${o.name}-${name}-failed`); } catch { /* page gone */ }
        (e as Error).message += `\n  screenshot: ${shot}\n  run dir: ${runDir}`;
        throw e;
      }
    },
    close: async (keep) => {
      await browser.close().catch(() => undefined);
      await server.stop();
      if (!keep) rmSync(runDir, { recursive: true, force: true });
    },
  };
  await session.step('open-workbench', () => workbench.open(server, o.folder));
  return session;
}

/**
 * The one editor session the tests of a UI file share. `start()` builds the .vsix, makes the
 * workspace folder (with `files`) and starts code-server + the browser on it; `test()` registers
 * a test that skips without the editor environment or with `skipWhy` (a fixture the machine
 * lacks), fails clearly when the session never started, screenshots a failing step and marks the
 * suite failed so `close()` keeps the run dirs to look at.
 */
export class UiSuite {
  session: UiSession | undefined;
  failed = false;
  /** set in before() when the file's fixture cannot run here: every test skips with it */
  skipWhy = '';
  private dir = '';

  constructor(readonly name: string) {}

  /** `.test-output/e2e/<name>-build-…`, made on first use (kubeconfigs, the vsix, the workspace). */
  get buildDir(): string {
    if (!this.dir) this.dir = makeRunDir(`${this.name}-build`);
    return this.dir;
  }

  async start(o: { env: E2eEnvironment; files?: Record<string, string>; settings?: Record<string, unknown>; processEnv?: Record<string, string> }): Promise<UiSession> {
    const vsix = await buildVsix(this.buildDir);
    const folder = join(this.buildDir, 'workspace');
    mkdirSync(folder, { recursive: true });
    for (const [name, text] of Object.entries(o.files ?? {})) writeFileSync(join(folder, name), text);
    this.session = await startUiSession({ env: o.env, name: this.name, vsix, folder, settings: o.settings, processEnv: o.processEnv });
    return this.session;
  }

  test(name: string, fn: (s: UiSession, t: TestContext) => Promise<void>, opts: { timeout?: number } = {}): void {
    test(name, opts, async (t) => {
      if (!requireEnvironment(t)) return;
      if (this.skipWhy) return t.skip(this.skipWhy);
      const s = this.session;
      assert.ok(s, 'the editor session did not start (see the before hook error)');
      try {
        await s.step(name, () => fn(s, t));
      } catch (e) {
        this.failed = true;
        throw e;
      }
    });
  }

  /** Stops the editor; the run and build dirs stay when a test failed. */
  async close(): Promise<void> {
    await this.session?.close(this.failed);
    if (this.dir && !this.failed) rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Extension-host tests (mocha inside the editor)

export interface ExtensionTestsOptions {
  env: E2eEnvironment;
  extensionDevelopmentPaths: string[];
  /** the suite's entry (a file exporting run(): Promise<void>); `index` resolves to index.cjs / index.js */
  extensionTestsPath: string;
  folder?: string;
  runDir?: string;
  userDataDir?: string;
  extensionsDir?: string;
  settings?: Record<string, unknown>;
  processEnv?: Record<string, string>;
  timeoutMs?: number;
  /** each line the tests log (default: printed to stdout) */
  onLog?: (line: string) => void;
}

export interface ExtensionTestsResult {
  exitCode: number;
  output: string[];
  runDir: string;
}

/** require() in the extension host tries .js but not .cjs; let callers name `out/test/suite/index`. */
export function resolveTestsEntry(p: string): string {
  const abs = resolve(p);
  if (extname(abs) || existsSync(abs)) return abs;
  for (const ext of ['.js', '.cjs']) if (existsSync(abs + ext)) return abs + ext;
  return abs;
}

/** Workbench chatter that an offline code-server always logs (gallery, GitHub auth, agent host). */
export const EDITOR_NOISE = /^\[AgentHost\]|ENOTFOUND|Timed out waiting for authentication provider|^Creat(ing|ion of)|^Resolv(ing|ed) connection token|^\[reconnection-grace-time\]|^\[Service Worker\]|^\[AccountPolicyGate\]|^Updating additional builtin/;

// code-server's workbench names the server "remote": a vscode-remote URI with that authority
// points at the server's own file system, where the extension host runs.
const REMOTE = 'vscode-remote://remote';

export async function runExtensionTests(o: ExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const runDir = o.runDir ?? makeRunDir('ext-host');
  const output: string[] = [];
  const log = (line: string) => {
    output.push(line);
    if (o.onLog) o.onLog(line);
    else if (!EDITOR_NOISE.test(line)) console.log(line);
  };
  const server = await startCodeServer({
    env: o.env, runDir, smokeTestDriver: true, settings: o.settings, processEnv: o.processEnv,
    userDataDir: o.userDataDir, extensionsDir: o.extensionsDir,
  });
  let browser: BrowserContext | undefined;
  let exitCode = 1;
  try {
    browser = await launchBrowser(o.env, runDir);
    const page = browser.pages()[0] ?? (await browser.newPage());
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((r) => (finish = r));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (type !== 'trace' && type !== 'debug') log(format(...(args ?? [])));
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    const payload = [
      ...o.extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', `${REMOTE}${resolve(p)}`]),
      ['extensionTestsPath', `${REMOTE}${resolveTestsEntry(o.extensionTestsPath)}`],
      ['skipWelcome', 'true'],
    ];
    const where = o.folder ? `folder=${encodeURIComponent(resolve(o.folder))}` : 'ew=true';
    // the run ends through codeAutomationExit, not a page event: do not wait for "load"
    await page.goto(`${server.url}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'commit', timeout: 120_000 });
    const timeoutMs = o.timeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([finished, timedOut]);
    clearTimeout(timer); // a pending timer would keep the test process alive
    if (result === 'timeout') {
      log(`extension tests did not finish in ${timeoutMs / 1000} s`);
      try { await page.screenshot({ path: join(outputRoot, `ext-host-timeout-${process.pid}.png`) }); } catch { /* page gone */ }
    } else {
      exitCode = result;
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
  // a run dir we made is evidence only when something failed
  if (exitCode !== 0) log(`extension-host run kept in ${runDir}`);
  else if (!o.runDir) rmSync(runDir, { recursive: true, force: true });
  return { exitCode, output, runDir };
}
