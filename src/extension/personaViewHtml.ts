import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The view's page: a locked-down shell that loads the bundled script and stylesheet. No data is
 * inlined; the script asks for it with `ready`.
 */
export function personaViewHtml(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'personaEditor.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'personaEditor.css'));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Personas</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading personas…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
