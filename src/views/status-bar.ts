// The status bar item: which context or lab the sidebar shows and whether it answers.
import * as vscode from 'vscode';
import { statusText, type ConnectionStatus } from './status-text';

export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: ConnectionStatus = { health: 'none' };

  constructor(clickCommand: string) {
    this.item = vscode.window.createStatusBarItem('ovnlab.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'ovnlab connection';
    this.item.command = clickCommand;
    this.render();
    this.item.show();
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  update(status: ConnectionStatus): void {
    this.current = status;
    this.render();
  }

  private render(): void {
    const t = statusText(this.current);
    this.item.text = t.text;
    this.item.tooltip = t.tooltip;
    this.item.backgroundColor = t.background ? new vscode.ThemeColor(t.background) : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
