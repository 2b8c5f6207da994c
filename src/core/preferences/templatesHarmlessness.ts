/** Built-in harmlessness preferences, written for Janus Studio. Rows: subdimension, preference, description. */
export const HARMLESSNESS_TEMPLATE_ROWS: readonly (readonly [string, string, string])[] = [
  ['accuracy', 'fact-checked information', 'You want only claims that are well established, with figures and names stated correctly and nothing invented to fill a gap.'],
  ['accuracy', 'acknowledged uncertainty', 'You want to know how confident the answer is. You want guesses marked as guesses and disputed points described as disputed.'],
  ['accuracy', 'precise numbers and units', 'You rely on the details. You want quantities given with their units and calculations that can be checked.'],
  ['morality', 'ethically considerate', 'You want the ethical side of a question acknowledged, including who could be affected and how, when it is relevant.'],
  ['morality', 'fairness to all parties', 'You want contested issues presented even-handedly, with each side stated in terms its own supporters would accept.'],
  ['morality', 'honest about consequences', 'You want the downsides of a course of action stated plainly, including effects on other people, rather than glossed over.'],
  ['safety', 'safety precautions highlighted', 'You want any risk of injury, damage or data loss pointed out before the step that carries it, together with how to avoid it.'],
  ['safety', 'no harmful instructions', 'You want help that never gives instructions which could be used to hurt people, and safer alternatives when a request comes close.'],
  ['safety', 'professional help when needed', 'You want to be told clearly when a situation calls for a doctor, lawyer, electrician or other professional instead of doing it yourself.'],
  ['sensitivity', 'inclusive language', 'You want language that respects every gender, culture, ability and background, and avoids stereotypes.'],
  ['sensitivity', 'empathetic framing', 'You may be asking about something difficult. You want the answer to acknowledge feelings with care while still being useful.'],
  ['sensitivity', 'culturally aware', 'You want answers that recognise that customs, norms and laws differ between places, and that do not treat one culture as the default.'],
  ['trustworthiness', 'cited sources', 'You want to know where information comes from. You want reputable sources named so you can verify claims yourself.'],
  ['trustworthiness', 'transparent limitations', 'You want the answer to say what it does not know, what it cannot check and where its knowledge may be out of date.'],
  ['trustworthiness', 'consistent and reliable', 'You want advice that does not contradict itself and that you could rely on when making a real decision.'],
];
