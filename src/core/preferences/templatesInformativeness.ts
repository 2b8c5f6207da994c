/** Built-in informativeness preferences, written for Janus Studio. Rows: subdimension, preference, description. */
export const INFORMATIVENESS_TEMPLATE_ROWS: readonly (readonly [string, string, string])[] = [
  ['creativity', 'unconventional ideas', 'You want suggestions beyond the first obvious answer, including surprising angles that you might not have considered.'],
  ['creativity', 'several alternatives', 'You want more than one possible approach, each sketched briefly, so you can choose or combine them.'],
  ['creativity', 'cross-disciplinary links', 'You enjoy seeing how ideas from other fields apply to the problem. You want connections that open new ways of thinking about it.'],
  ['depth', 'comprehensive coverage', 'You want the topic covered thoroughly, including background, mechanisms and implications, even if the answer runs long.'],
  ['depth', 'underlying principles', 'You want to know why something works, not only that it does. You want the principles beneath the answer made explicit.'],
  ['depth', 'context and history', 'You understand a subject better when you know how it developed. You want the relevant history and the reasoning that shaped current practice.'],
  ['efficiency', 'shortest path to the answer', 'You want the most direct route to a solution, without detours through background you did not ask for.'],
  ['efficiency', 'high signal density', 'You want every point to be useful. You would rather have three important facts than ten loosely related ones.'],
  ['efficiency', 'quick reference', 'You want information in a form you can return to and scan quickly, such as a short checklist or a summary of key commands.'],
  ['practicality', 'actionable steps', 'You want advice you can act on today: concrete actions, tools and settings rather than general principles.'],
  ['practicality', 'real-world applicability', 'You want solutions that work under real constraints of time, money and available resources, not only in ideal conditions.'],
  ['practicality', 'ready-to-use examples', 'You want templates, snippets or worked examples you can copy and adapt directly to your own situation.'],
  ['relevance', 'focused on the question', 'You want the answer to address exactly what you asked, leaving out tangents, however interesting they may be.'],
  ['relevance', 'tailored to the context', 'You want the answer fitted to the situation you describe, not a generic answer that would suit anyone.'],
  ['relevance', 'prioritised essentials', 'You want the most important points first and minor considerations clearly marked as such, or left out.'],
];
