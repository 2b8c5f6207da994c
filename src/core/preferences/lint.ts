/**
 * Lint for system messages and personas: which preference dimensions a message covers (cue
 * phrases, see `lintLexicon.ts`), which it misses, what contradicts itself, whether it reads as a
 * Janus system message (second person, one paragraph, a sensible length), and for a persona,
 * whether each preference of its set is reflected in its system message.
 */
import type { DimensionId } from './dimensions';
import { DIMENSION_IDS, dimensionInfo } from './dimensions';
import { CONTRADICTIONS, COVERAGE_CUES, NEGATION } from './lintLexicon';
import type { Persona, PreferenceItem } from './persona';

export type LintSeverity = 'error' | 'warning' | 'info';

export interface LintResult {
  readonly code: string;
  readonly severity: LintSeverity;
  readonly message: string;
  /** Offsets into the system message (`end` exclusive), when the finding has a place. */
  readonly range?: { readonly start: number; readonly end: number };
}

export interface CueMatch {
  readonly dimension: DimensionId;
  /** The subdimension whose cue matched; '' for a general cue of the dimension. */
  readonly subdimension: string;
  readonly start: number;
  readonly end: number;
}

export interface Coverage {
  readonly covered: readonly DimensionId[];
  readonly missing: readonly DimensionId[];
  readonly matches: readonly CueMatch[];
}

/** Bounds for a Janus-style message; the Multifaceted Collection's run roughly 60-250 words. */
export const MIN_WORDS = 20;
export const MAX_WORDS = 400;

function cueRegex(sources: readonly string[]): RegExp {
  return new RegExp(`\\b(?:${sources.join('|')})\\b`, 'gi');
}

function findAll(text: string, sources: readonly string[]): { start: number; end: number }[] {
  return [...text.matchAll(cueRegex(sources))].map((match) => ({ start: match.index, end: match.index + match[0].length }));
}

function isNegated(text: string, start: number): boolean {
  return NEGATION.test(text.slice(Math.max(0, start - 40), start));
}

/** Which dimensions the message touches, with every cue found. */
export function analyzeCoverage(message: string): Coverage {
  const matches: CueMatch[] = [];
  for (const dimension of DIMENSION_IDS) {
    for (const [subdimension, cues] of Object.entries(COVERAGE_CUES[dimension])) {
      for (const found of findAll(message, cues)) matches.push({ dimension, subdimension, ...found });
    }
  }
  matches.sort((a, b) => a.start - b.start || a.end - b.end);
  const covered = DIMENSION_IDS.filter((dimension) => matches.some((match) => match.dimension === dimension));
  return { covered, missing: DIMENSION_IDS.filter((dimension) => !covered.includes(dimension)), matches };
}

function lintShape(message: string): LintResult[] {
  const trimmed = message.trim();
  if (trimmed === '') return [{ code: 'empty', severity: 'error', message: 'The system message is empty: compose it from the preferences, synthesise it, or write one.' }];
  const results: LintResult[] = [];
  const words = trimmed.split(/\s+/).length;
  if (words < MIN_WORDS) {
    results.push({ code: 'too-short', severity: 'warning', message: `The system message has ${words} words; Janus was trained on messages of about 60-250 words that state all four preferences.` });
  } else if (words > MAX_WORDS) {
    results.push({ code: 'too-long', severity: 'warning', message: `The system message has ${words} words; above ${MAX_WORDS} the preferences get diluted. Keep one paragraph of about 60-250 words.` });
  }
  const breakAt = /\n\s*\n/.exec(trimmed);
  if (breakAt) {
    const start = message.indexOf(trimmed) + breakAt.index;
    results.push({ code: 'multiple-paragraphs', severity: 'info', message: 'Janus system messages are one paragraph; join the paragraphs.', range: { start, end: start + breakAt[0].length } });
  }
  if (!/\byou(r|rs|rself)?\b/i.test(trimmed)) {
    results.push({ code: 'not-second-person', severity: 'warning', message: 'The system message never addresses the assistant as "you"; write it in the second person ("You are ... Your responses ...").' });
  }
  return results;
}

function lintContradictions(message: string): LintResult[] {
  const results: LintResult[] = [];
  for (const rule of CONTRADICTIONS) {
    const first = findAll(message, rule.first).find((found) => !isNegated(message, found.start));
    const second = findAll(message, rule.second).find((found) => !isNegated(message, found.start));
    if (!first || !second) continue;
    const [a, b] = first.start < second.start ? [first, second] : [second, first];
    const message_ = `${rule.message} ("${message.slice(a.start, a.end)}" vs "${message.slice(b.start, b.end)}")`;
    results.push({ code: rule.code, severity: 'warning', message: message_, range: { start: b.start, end: b.end } });
  }
  return results;
}

/** Lints a bare system message. */
export function lintSystemMessage(message: string): LintResult[] {
  const shape = lintShape(message);
  if (shape.some((result) => result.code === 'empty')) return shape;
  const coverage = analyzeCoverage(message);
  const missing: LintResult[] = coverage.missing.map((dimension) => ({
    code: 'missing-dimension',
    severity: 'warning',
    message: `Nothing in the message speaks to ${dimensionInfo(dimension).label.toLowerCase()} (${dimension}): ${dimensionInfo(dimension).description} Add a sentence about it.`,
  }));
  return [...shape, ...missing, ...lintContradictions(message)];
}

const STOPWORDS = new Set(['the', 'and', 'for', 'with', 'that', 'this', 'are', 'from', 'into', 'over', 'than', 'your', 'you', 'all', 'any', 'not', 'but']);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length >= 3 && !STOPWORDS.has(word));
}

/**
 * A preference counts as reflected when at least half of its phrase's content words appear in the
 * message, comparing the first five letters so "concise" matches "concisely" and "examples"
 * matches "example". Crude, but it catches the real failure: a preference swapped in the set while
 * the message still describes the old one.
 */
export function isPreferenceReflected(item: PreferenceItem, message: string): boolean {
  const wanted = contentWords(item.preference);
  if (wanted.length === 0) return true;
  const present = new Set(contentWords(message).map((word) => word.slice(0, 5)));
  const found = wanted.filter((word) => present.has(word.slice(0, 5))).length;
  return found * 2 >= wanted.length;
}

/** Lints a persona: its system message, plus that message against its own preference set. */
export function lintPersona(persona: Pick<Persona, 'preference_set' | 'system'>): LintResult[] {
  const results = lintSystemMessage(persona.system);
  if (persona.system.trim() === '') return results;
  for (const item of persona.preference_set) {
    if (isPreferenceReflected(item, persona.system)) continue;
    results.push({
      code: 'preference-not-reflected',
      severity: 'warning',
      message: `The system message does not mention the ${item.dimension} preference "${item.preference}"; compose the message again or add a sentence about it.`,
    });
  }
  return results;
}
