// Lab up / down / open terminal from the sidebar. up and down run our own CLI (`ovnlab lab up`,
// the same LabBackend code) as a child process: the daemons it starts then belong to that
// process group, not to the extension host, and a lab survives an editor reload.
import * as vscode from 'vscode';
import { execa } from 'execa';
import type { LabBackendKind } from '../lab/lab-backend';

export interface LabCommandDeps {
  log: vscode.LogOutputChannel;
  /** dist/cli.mjs of this extension */
  cliPath: string;
  labDir: () => string;
  backend: () => LabBackendKind;
  kubeconfig: () => string | undefined;
  /** after up/down: re-read the lab state and reconnect the sidebar */
  changed: () => Promise<void>;
}

async function runCli(deps: LabCommandDeps, title: string, args: string[]): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: ${title}`, cancellable: true }, async (progress, token) => {
    // the editor's own runtime runs the CLI (Electron needs ELECTRON_RUN_AS_NODE to act as node)
    const child = execa(process.execPath, [deps.cliPath, ...args], { env: { ELECTRON_RUN_AS_NODE: '1' }, reject: false, all: true, buffer: true });
    token.onCancellationRequested(() => child.kill('SIGINT'));
    let last = '';
    child.stderr?.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n').filter(Boolean)) {
        deps.log.info(`lab: ${line}`);
        last = line;
        progress.report({ message: line.slice(0, 120) });
      }
    });
    const r = await child;
    if (r.exitCode !== 0) throw new Error(`${title} failed (exit ${r.exitCode}): ${last || (r.all ?? '').split('\n').slice(-3).join(' ')}`);
  });
}

export async function labUp(deps: LabCommandDeps, backend: LabBackendKind = deps.backend()): Promise<void> {
  // the kind lab keeps its own state directory (defaultKindLabDir); the local lab's is not its
  const args = backend === 'kind' ? ['lab', 'up', '--backend', 'kind'] : ['lab', 'up', '--dir', deps.labDir(), '--kube'];
  try {
    await runCli(deps, `starting the ${backend} lab`, args);
    void vscode.window.showInformationMessage(`ovnlab: the ${backend} lab is up.`);
  } catch (e) {
    deps.log.error((e as Error).message);
    void vscode.window.showErrorMessage(`ovnlab: ${(e as Error).message}. See ovnlab: Show Log; \`ovnlab lab down\` removes whatever was left.`);
  }
  await deps.changed();
}

export async function labDown(deps: LabCommandDeps): Promise<void> {
  const args = deps.backend() === 'kind' ? ['lab', 'down', '--backend', 'kind'] : ['lab', 'down', '--dir', deps.labDir()];
  try {
    await runCli(deps, 'stopping the lab', args);
  } catch (e) {
    deps.log.error((e as Error).message);
    void vscode.window.showErrorMessage(`ovnlab: ${(e as Error).message}`);
  }
  await deps.changed();
}

export function openLabTerminal(deps: LabCommandDeps): void {
  const env: Record<string, string> = { OVNLAB_LAB_DIR: deps.labDir() };
  const kc = deps.kubeconfig();
  if (kc) env.KUBECONFIG = kc;
  const term = vscode.window.createTerminal({ name: 'ovnlab lab', cwd: deps.labDir(), env, message: `ovnlab lab in ${deps.labDir()}${kc ? `; KUBECONFIG=${kc}` : ''}` });
  term.show();
}
