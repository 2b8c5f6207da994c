/**
 * The JSON schema of `*.persona.json`, generated from the zod schema so the two cannot disagree.
 * The build writes it to `media/schemas/persona.schema.json` (the manifest's `jsonValidation`
 * points there) and a unit test checks the committed file still matches.
 */
import * as z from 'zod';
import { personaSchema } from './persona';

export const PERSONA_SCHEMA_PATH = 'media/schemas/persona.schema.json';

/** The persona JSON schema (draft-07, which VS Code's JSON language service understands fully). */
export function personaJsonSchema(): Record<string, unknown> {
  // `io: 'input'` describes what a user writes by hand, before any zod defaults or transforms.
  return { ...z.toJSONSchema(personaSchema, { target: 'draft-7', io: 'input' }), title: 'Janus Studio persona' };
}

/** The file text: 2-space indent and a trailing newline, like every JSON file we write. */
export function personaJsonSchemaText(): string {
  return `${JSON.stringify(personaJsonSchema(), null, 2)}\n`;
}
