/**
 * Template descriptions speak to the person ("You want answers that ..."), but inside a system
 * message "you" is the model. The composer therefore restates them about "the user" ("The user
 * wants answers that ..."). This is a small rule set, not a grammar: it covers the shapes our
 * templates and typical hand-written descriptions use, and leaves other text untouched.
 */

/** Words after which a bare "you" starts a clause, so it becomes "they" rather than "them". */
const SUBJECT_CONTEXT = new Set([
  'and', 'but', 'or', 'so', 'that', 'when', 'if', 'because', 'while', 'as', 'where', 'what', 'how', 'than',
  'whether', 'before', 'after', 'until', 'unless', 'once', 'since', 'although', 'though', 'which', 'who', 'why',
]);

/** Adverbs that may sit between "You" and its verb ("You already know"). */
const ADVERBS = new Set(['already', 'often', 'still', 'also', 'usually', 'rarely', 'never', 'always', 'generally', 'mostly', 'only', 'just', 'really', 'sometimes', 'mainly']);

/** Words that, right after a bare "you", show it is the subject ("a case you can picture"). */
const VERBS_AFTER_SUBJECT = new Set([
  'can', 'could', 'will', 'would', 'should', 'may', 'might', 'must', 'do', 'did', 'does', 'are', 'were', 'have', 'had',
  'need', 'want', 'know', 'describe', 'ask', 'asked', 'see', 'read', 'use', 'mean', 'expect', 'like', 'prefer', 'get', 'find', 'think', 'already',
]);

/** Verbs of a second predicate sharing the opening "You" ("You know X but are unsure"). */
const COORDINATED_VERBS = new Set(['are', 'have', 'want', 'need', 'prefer', 'like', 'know', 'enjoy', 'find', 'expect', 'value']);

const IRREGULAR: Readonly<Record<string, string>> = { are: 'is', have: 'has', do: 'does', were: 'was', go: 'goes' };
const MODALS = new Set(['can', 'could', 'will', 'would', 'should', 'may', 'might', 'must', 'shall']);

/** Third-person singular of a verb for "the user" ("want" -> "wants", "rely" -> "relies"). */
export function thirdPersonVerb(verb: string): string {
  const lower = verb.toLowerCase();
  if (IRREGULAR[lower] !== undefined) return IRREGULAR[lower];
  if (MODALS.has(lower) || /ed$/.test(lower)) return verb;
  if (/[^aeiou]y$/.test(lower)) return `${verb.slice(0, -1)}ies`;
  if (/(s|sh|ch|x|z|o)$/.test(lower)) return `${verb}es`;
  return `${verb}s`;
}

const CONTRACTIONS: Readonly<Record<string, string>> = {
  "you're": "they're", "you've": "they've", "you'd": "they'd", "you'll": "they'll",
  yourself: 'themselves', yourselves: 'themselves', yours: 'theirs', your: 'their',
};

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Rewrites the rest of a description's "you" forms to "they/them/their". */
function restToThey(text: string): string {
  return text.replace(/\b(you're|you've|you'd|you'll|yourselves|yourself|yours|your|you)\b/gi, (match: string, _word: string, offset: number) => {
    const lower = match.toLowerCase();
    const before = text.slice(0, offset);
    const sentenceStart = /(^|[.!?;:]\s*)$/.test(before);
    let replacement = CONTRACTIONS[lower];
    if (replacement === undefined) {
      const previous = /([A-Za-z]+)\W*$/.exec(before)?.[1]?.toLowerCase();
      const next = /^\s+([A-Za-z]+)/.exec(text.slice(offset + match.length))?.[1]?.toLowerCase();
      const subject =
        sentenceStart || /,\s*$/.test(before) || (previous !== undefined && SUBJECT_CONTEXT.has(previous)) || (next !== undefined && VERBS_AFTER_SUBJECT.has(next));
      replacement = subject ? 'they' : 'them';
    }
    return sentenceStart ? capitalise(replacement) : replacement;
  });
}

/** In the first sentence, "... and want" / "... but are" also take "the user" as subject. */
function conjugateCoordinated(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  const first = end === -1 ? text : text.slice(0, end);
  const fixed = first.replace(/\b(and|but)\s+([A-Za-z]+)\b/g, (whole: string, conjunction: string, verb: string) =>
    COORDINATED_VERBS.has(verb.toLowerCase()) ? `${conjunction} ${thirdPersonVerb(verb)}` : whole,
  );
  return fixed + text.slice(first.length);
}

/**
 * "You want X. You find Y." -> "The user wants X. They find Y." Text that does not open with "You"
 * (e.g. a Multifaceted Collection description, "This preference values ...") is returned as is.
 */
export function descriptionAboutUser(description: string): string {
  const text = description.trim();
  const opening = /^You('re)?\b\s*/.exec(text);
  if (!opening) return restToThey(text);
  let rest = text.slice(opening[0].length);
  if (opening[1] !== undefined) return `The user is ${restToThey(rest)}`;
  const words: string[] = [];
  let match = /^([A-Za-z]+)(\s+)/.exec(rest);
  while (match?.[1] !== undefined && ADVERBS.has(match[1].toLowerCase())) {
    words.push(match[0]);
    rest = rest.slice(match[0].length);
    match = /^([A-Za-z]+)(\s+)/.exec(rest);
  }
  const verb = /^[A-Za-z]+/.exec(rest)?.[0];
  if (verb !== undefined) rest = thirdPersonVerb(verb) + rest.slice(verb.length);
  rest = conjugateCoordinated(rest);
  return `The user ${words.join('')}${restToThey(rest)}`;
}
