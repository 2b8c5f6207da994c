import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** The bundle's name under `dist/webview/`: `<bundle>.js` and `<bundle>.css`. */
  readonly bundle: string;
  readonly title: string;
  /** Shown until the script has rendered. */
  readonly loading: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * A webview's page: a locked-down shell (`default-src 'none'`, one nonce'd script) that loads the
 * bundled script and stylesheet from `root`. No data is inlined; the script asks for it with `ready`.
 */
export function webviewHtml(webview: vscode.Webview, root: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${page.bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${page.bundle}.css`));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">${escapeHtml(page.loading)}</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
