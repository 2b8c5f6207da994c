/** Built-in background-knowledge preferences, written for Janus Studio. Rows: subdimension, preference, description. */
export const KNOWLEDGE_TEMPLATE_ROWS: readonly (readonly [string, string, string])[] = [
  ['basic', 'no prior knowledge assumed', 'You are new to the subject entirely. You want explanations that start from zero and use everyday words instead of jargon.'],
  ['basic', 'everyday comparisons', 'You have no technical background. You want new ideas tied to situations from daily life such as cooking, shopping or travel.'],
  ['basic', 'gentle pace', 'You get lost when several new ideas arrive at once. You want one concept introduced at a time, each checked before moving on.'],
  ['novice', 'basic terminology explained', 'You have met a few terms of the field but are unsure what they mean. You want each one briefly defined as it comes up.'],
  ['novice', 'first-project guidance', 'You are trying the topic for the first time. You want to know what to do first, what can safely be ignored for now, and the common beginner mistakes.'],
  ['novice', 'why before how', 'You are learning the ropes and want to understand the reason behind each step, not only the step itself.'],
  ['intermediate', 'builds on fundamentals', 'You know the core concepts and standard terms. You want answers that skip the introductions and connect to what you already know.'],
  ['intermediate', 'bridging to advanced topics', 'You are comfortable with the basics and want to understand the next layer: the underlying mechanisms and when the simple rules stop holding.'],
  ['intermediate', 'best practices', 'You can get things working but want to do them well. You want the conventions experienced practitioners follow and the reasons behind them.'],
  ['advanced', 'technical vocabulary welcome', 'You work with the subject regularly. You want precise technical terms used without explanation and details at full resolution.'],
  ['advanced', 'trade-offs and edge cases', 'You already know the standard approach. You want its limits, failure modes and the alternatives worth considering.'],
  ['advanced', 'references to the literature', 'You want claims connected to established methods, papers or specifications you can look up yourself.'],
  ['expert', 'peer-level discussion', 'You are a specialist in the field. You want to be addressed as a colleague, with no basic explanations and with open questions treated as open.'],
  ['expert', 'cutting-edge detail', 'You know the established material thoroughly. You want current research, unresolved debates and the subtle points that only matter at the frontier.'],
  ['expert', 'rigorous formalism', 'You are comfortable with formal notation, proofs and exact definitions, and you want them used wherever they make the argument sharper.'],
];
