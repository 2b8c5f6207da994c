/**
 * Phrase lists behind the persona lint. The approach is deliberately simple and explainable: a
 * dimension counts as covered when the message contains one of its cue phrases (per known
 * subdimension, plus general cues), matched case-insensitively on word boundaries. Cues are stems
 * where English inflects ("accura" covers accurate/accuracy). A cue preceded in the same clause by
 * a negation ("no slang", "free of jargon") does not count for contradictions. These lists were
 * tuned so that every built-in template and the composer's own sentences are recognised.
 */
import type { DimensionId } from './dimensions';

/** Cue regex sources by dimension, then by subdimension ('' = general cues for the dimension). */
export const COVERAGE_CUES: Readonly<Record<DimensionId, Readonly<Record<string, readonly string[]>>>> = {
  style: {
    clarity: ['clear', 'clarity', 'plain[- ]language', 'plain words', 'easy to (follow|read|understand)', 'jargon', 'straightforward', 'ordinary words'],
    conciseness: ['concise', 'brief', 'succinct', 'to the point', 'lean', 'economical', 'filler', 'terse', 'short'],
    format: ['lists?', 'bullet', 'numbered', 'step[- ]by[- ]step', 'tables?', 'headings?', 'code (block|example)s?', 'markdown', 'format', 'layout', 'structured?', 'sections'],
    tone: ['tone', 'formal', 'casual', 'friendly', 'warm', 'professional', 'conversational', 'voice', 'polite', 'humou?r', 'playful', 'register'],
    vividness: ['vivid', 'examples?', 'analog(y|ies)', 'metaphors?', 'stor(y|ies)', 'storytelling', 'imagery', 'illustrat\\w*', 'narratives?'],
    '': ['style', 'your writing', 'wording', 'phrasing'],
  },
  background_knowledge: {
    basic: ['no (prior )?(knowledge|background)', 'beginners?', 'lay(man|person| audience)', 'everyday (words|language)', 'from (scratch|zero)', "like (I'm|I am|they're|you're) (five|5)", 'eli5'],
    novice: ['novices?', 'new to', 'just starting', 'starting out', 'newcomers?', 'introductory', 'learning the ropes'],
    intermediate: ['intermediate', 'fundamentals', 'working (knowledge|grasp|understanding)', 'some familiarity', 'the basics'],
    advanced: ['advanced', 'technical (terms|vocabulary)', 'seasoned', 'experienced', 'proficient'],
    expert: ['experts?', 'expert-level', 'specialists?', 'peers?', 'colleagues?', 'expertise'],
    '': ['background', 'prior knowledge', 'familiar(ity)?', 'level of (understanding|knowledge)', 'already knows?'],
  },
  informativeness: {
    creativity: ['creativ\\w*', 'original\\w*', 'novel', 'innovative', 'imaginat\\w*', 'unconventional', 'alternatives?', 'brainstorm\\w*'],
    depth: ['depth', 'in-depth', 'thorough\\w*', 'comprehensive\\w*', 'detail(ed|s)?', 'underlying', 'beneath the surface', 'exhaustive\\w*', 'principles'],
    efficiency: ['efficien\\w*', 'direct(ly)?', 'streamlined', 'shortest', 'quick(ly)?', 'signal', 'earn its place', 'essentials?'],
    practicality: ['practical\\w*', 'actionable', 'applicab\\w*', 'applied', 'real[- ]world', 'hands[- ]on', 'usable', 'apply'],
    relevance: ['relevan\\w*', 'on[- ]topic', 'focus(ed)?', 'tangents?', 'on target', 'pertinent', 'anchored to the question'],
    '': ['informative', 'information', 'content', 'insights?'],
  },
  harmlessness: {
    accuracy: ['accura\\w*', 'correct\\w*', 'facts?', 'factual\\w*', 'fact-checked', 'precis\\w*', 'verif\\w*', 'uncertain\\w*'],
    morality: ['ethic\\w*', 'moral\\w*', 'fair\\w*', 'responsib\\w*', 'integrity', 'even-handed\\w*'],
    safety: ['safe\\w*', 'risks?', 'harm\\w*', 'danger\\w*', 'precautions?', 'hazard\\w*', 'injur\\w*'],
    sensitivity: ['sensitiv\\w*', 'respect\\w*', 'inclusiv\\w*', 'empath\\w*', 'considerate', 'cultur\\w*', 'bias\\w*', 'stereotyp\\w*'],
    trustworthiness: ['trust\\w*', 'reliab\\w*', 'transparen\\w*', 'cit(e|es|ed|ing)', 'sources?', 'honest\\w*', 'dependab\\w*', 'limitations?'],
    '': ['harmless\\w*', 'avoid causing'],
  },
};

export interface ContradictionRule {
  readonly code: string;
  readonly first: readonly string[];
  readonly second: readonly string[];
  readonly message: string;
}

/**
 * Pairs that pull the model in opposite directions. The expertise side names the *user's* level
 * ("expert-level", "for experts"), not a bare "expert": "You are an expert tutor for beginners" is a
 * fine persona, since there the expert is the assistant.
 */
export const CONTRADICTIONS: readonly ContradictionRule[] = [
  {
    code: 'contradiction-expertise',
    first: [
      '(expert|specialist|advanced)[- ](level|knowledge|audience|users?|readers?|practitioners?)',
      '(user|reader|audience|they) (is|are) (an? )?(experts?|specialists?)',
      'for experts',
      'peer[- ]level',
      'deep expertise',
    ],
    second: ["explain(ed|ing)? (it |things |this )?like (I'm|I am|they're|you're) (five|5)", 'eli5', 'no prior (knowledge|experience)', '(complete|absolute|total) beginners?', 'no background'],
    message: 'The message treats the user as an expert and also as having no prior knowledge; pick one level for the background_knowledge dimension.',
  },
  {
    code: 'contradiction-length',
    first: ['concise(ly)?', 'brief(ly)?', 'succinct(ly)?', 'terse(ly)?', 'to the point'],
    second: ['exhaustive(ly)?', 'in great detail', 'as much detail as possible', 'leave nothing out', 'every (possible )?detail'],
    message: 'The message asks for brevity and for exhaustive detail; say which wins (e.g. "concise, with detail only where it changes the answer").',
  },
  {
    code: 'contradiction-register',
    first: ['formal(ly)?(?! (notation|proofs?|definitions?|methods?|logic|verification|languages?|specifications?))', 'professional (tone|register|voice)'],
    second: ['casual(ly)?', 'slang', 'informal', 'chatty', 'colloquial'],
    message: 'The message asks for a formal register and for a casual one (slang, chatty); choose one tone for the style dimension.',
  },
];

/** Words that, earlier in the same clause, turn a cue into its opposite. */
export const NEGATION = /\b(no|not|never|without|avoid\w*|free of|rather than|instead of|don't|do not|nor|neither)\b[^.;!?]{0,30}$/i;
