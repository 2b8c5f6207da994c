/**
 * Pure helpers for persona files that the host needs and that deserve unit tests without VS Code:
 * the text hash used to detect edits made elsewhere, file names for new personas, and the map
 * from offsets inside a JSON string's value to offsets in the file (for lint diagnostics).
 */

/** Where new personas go, relative to the first workspace folder. */
export const personaFolder = '.janus/personas';
export const templateFolder = '.janus/templates';
export const personaSuffix = '.persona.json';

/** FNV-1a of the text plus its length: cheap, stable, and enough to notice any edit. */
export function textHash(text: string): string {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return `${value.toString(16).padStart(8, '0')}-${text.length}`;
}

/** `Concise Expert!` -> `concise-expert`; never empty. */
export function personaSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug === '' ? 'persona' : slug;
}

/** The first of `slug.persona.json`, `slug-2.persona.json`, ... that `exists` says is free. */
export async function freePersonaFileName(name: string, exists: (fileName: string) => Promise<boolean>): Promise<string> {
  const slug = personaSlug(name);
  for (let n = 1; ; n++) {
    const fileName = `${slug}${n === 1 ? '' : `-${n}`}${personaSuffix}`;
    if (!(await exists(fileName))) return fileName;
  }
}

/**
 * For a JSON string literal as written in the file (with its quotes), the offset in the literal of
 * each UTF-16 unit of the decoded value, plus one entry for the end. Escapes (`\n`, `\"`,
 * `\u00e9`) make the two differ, so a lint range inside the decoded message needs this to land on
 * the right characters of the file.
 */
export function decodedToRawOffsets(literal: string): number[] {
  const offsets: number[] = [];
  let i = 1; // past the opening quote
  const end = literal.length - 1; // the closing quote
  while (i < end) {
    offsets.push(i);
    if (literal[i] === '\\') i += literal[i + 1] === 'u' ? 6 : 2;
    else i += 1;
  }
  offsets.push(Math.min(i, end));
  return offsets;
}

/** True for a path VS Code should treat as a persona file. */
export function isPersonaPath(path: string): boolean {
  return path.endsWith(personaSuffix);
}
