// Debian's Chromium driven by playwright-core (no browser download: DESIGN.md).
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from './paths.js';

/** Flags that keep headless Chromium from reaching the network or doing background work. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
}

/** printf-style `%s %d %o %c` substitution, as the devtools console would show the message. */
function formatConsole(values: unknown[]): string {
  const [first, ...rest] = values;
  if (typeof first !== 'string') return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ');
  const text = first.replace(/%[sdifoOc]/g, (spec) => {
    if (rest.length === 0) return spec;
    const value = rest.shift();
    if (spec === '%c') return ''; // CSS for the devtools, noise in a log
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  return [text, ...rest.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))].join(' ');
}

/** Keeps the last console lines of a page (the extension host's console is forwarded there). */
export function recordConsole(page: Page, limit = 400): () => string {
  const lines: string[] = [];
  const push = (line: string): void => {
    lines.push(line);
    if (lines.length > limit) lines.shift();
  };
  page.on('console', (message) => {
    // Arguments are read asynchronously; fall back to the raw text if the page has gone.
    void Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => '?')))
      .then((values: unknown[]) => push(`[${message.type()}] ${formatConsole(values)}`))
      .catch(() => push(`[${message.type()}] ${message.text()}`));
  });
  page.on('pageerror', (error) => push(`[pageerror] ${error.message}`));
  return () => lines.join('\n');
}
