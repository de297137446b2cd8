// The HTML shell of the ovnlab webviews: a strict Content-Security-Policy (scripts only with this
// load's nonce, styles only from the extension's media folder, no inline handlers), the
// @vscode-elements bundle, then panel-bridge.js (what both panels share) and the panel's own
// script, and the stylesheet, all from dist/media.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'media');
}

/** Webview options: scripts on, and nothing but dist/media readable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [mediaRoot(extensionUri)], retainContextWhenHidden: false };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { title: string; script: string; body: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const uri = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), f)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(opts.title)}</title>
<link rel="stylesheet" href="${uri('panels.css')}">
<script type="module" nonce="${nonce}" src="${uri('vscode-elements.js')}"></script>
</head>
<body>
${opts.body}
<script nonce="${nonce}" src="${uri('panel-bridge.js')}"></script>
<script nonce="${nonce}" src="${uri(opts.script)}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
