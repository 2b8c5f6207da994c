/**
 * The preference template library: built-in preferences for every known dimension and
 * subdimension, plus user templates from `.janus/templates/*.json`, listed after the built-ins.
 */
import * as z from 'zod';
import type { DimensionId } from './dimensions';
import { DIMENSION_IDS } from './dimensions';
import type { PreferenceItem } from './persona';
import { preferenceItemSchema } from './persona';
import type { PersonaProblem } from './personaText';
import { parseJsonWithPositions } from './personaText';
import { HARMLESSNESS_TEMPLATE_ROWS } from './templatesHarmlessness';
import { INFORMATIVENESS_TEMPLATE_ROWS } from './templatesInformativeness';
import { KNOWLEDGE_TEMPLATE_ROWS } from './templatesKnowledge';
import { STYLE_TEMPLATE_ROWS } from './templatesStyle';

/** A ready preference: exactly a `preference_set` item, plus where it came from. */
export interface PreferenceTemplate extends PreferenceItem {
  /** `builtin`, or the label (usually the file path) the host passed for a user file. */
  readonly source: string;
}

const ROWS_BY_DIMENSION: Readonly<Record<DimensionId, readonly (readonly [string, string, string])[]>> = {
  style: STYLE_TEMPLATE_ROWS,
  background_knowledge: KNOWLEDGE_TEMPLATE_ROWS,
  informativeness: INFORMATIVENESS_TEMPLATE_ROWS,
  harmlessness: HARMLESSNESS_TEMPLATE_ROWS,
};

export const BUILTIN_TEMPLATES: readonly PreferenceTemplate[] = DIMENSION_IDS.flatMap((dimension) =>
  ROWS_BY_DIMENSION[dimension].map(([subdimension, preference, description]) => ({
    dimension,
    subdimension,
    preference,
    description,
    source: 'builtin',
  })),
);

/** A user template file: a JSON list of preference items. */
export const templateFileSchema = z.array(preferenceItemSchema).describe('Janus Studio preference templates: a list of preference_set items.');

export type TemplateFileResult =
  | { readonly ok: true; readonly templates: readonly PreferenceTemplate[] }
  | { readonly ok: false; readonly problems: readonly PersonaProblem[] };

/** Parses one user template file; `source` labels its entries (e.g. the workspace-relative path). */
export function parseTemplateFile(text: string, source: string): TemplateFileResult {
  const parsed = parseJsonWithPositions(text, templateFileSchema);
  if (!parsed.ok) return parsed;
  return { ok: true, templates: parsed.value.map((item) => ({ ...item, source })) };
}

function templateKey(template: PreferenceItem): string {
  return [template.dimension, template.subdimension, template.preference.trim().toLowerCase()].join('\u0000');
}

/**
 * Built-ins first, then user templates in the order given. A user entry with the same dimension,
 * subdimension and preference phrase as an earlier one replaces it in place, so a team can reword a
 * built-in without the picker showing both.
 */
export function mergeTemplates(builtins: readonly PreferenceTemplate[], user: readonly PreferenceTemplate[]): PreferenceTemplate[] {
  const merged: PreferenceTemplate[] = [...builtins];
  const index = new Map(merged.map((template, position) => [templateKey(template), position]));
  for (const template of user) {
    const key = templateKey(template);
    const position = index.get(key);
    if (position === undefined) {
      index.set(key, merged.length);
      merged.push(template);
    } else {
      merged[position] = template;
    }
  }
  return merged;
}

/** Templates for one dimension (and optionally one subdimension), in library order. */
export function templatesFor(templates: readonly PreferenceTemplate[], dimension: DimensionId, subdimension?: string): PreferenceTemplate[] {
  return templates.filter((template) => template.dimension === dimension && (subdimension === undefined || template.subdimension === subdimension));
}

/** The `preference_set` item of a template (without its `source`). */
export function templateToItem(template: PreferenceTemplate): PreferenceItem {
  return { dimension: template.dimension, subdimension: template.subdimension, preference: template.preference, description: template.description };
}

/** A starting preference set for a new persona: the first template of each dimension. */
export function starterPreferenceSet(templates: readonly PreferenceTemplate[] = BUILTIN_TEMPLATES): PreferenceItem[] {
  return DIMENSION_IDS.map((dimension) => {
    const first = templatesFor(templates, dimension)[0];
    if (!first) throw new Error(`No template for dimension "${dimension}"`);
    return templateToItem(first);
  });
}
