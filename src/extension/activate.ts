// The composition root: builds the objects and hands them down (DESIGN.md). Only wiring here.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ovnlab', { log: true });
  context.subscriptions.push(log);
  log.info('ovnlab activated');
}

export function deactivate(): void {}
