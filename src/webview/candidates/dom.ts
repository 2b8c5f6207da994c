/**
 * The panel's DOM, rebuilt from the session on each animation frame that has a change. Rebuilding
 * is cheap at N <= 64 and cannot drift from the state; the element that had focus is found again
 * by its `data-key` so keyboard users keep their place while text streams in.
 */
import type { SpreadChart } from './chart';
import { spreadChart } from './chart';
import type { CardView, PanelGroup, PanelSession, RubricChip, RubricView } from './model';
import { bannersOf, cardsOf, compareLeader, formatReward, isRunning, markCount, rubricViewOf, statusLine } from './model';
import type { CandidateAction, CandidateMarkValue } from './protocol';

type Attrs = Readonly<Record<string, string>>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Readonly<Record<string, string | number>>, text?: string): SVGElement {
  const node = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What the user asked for; `main.ts` turns each into a protocol message. */
export interface PanelIntents {
  cancel(): void;
  rescore(): void;
  exportPairs(): void;
  openSessions(): void;
  action(group: number, index: number, action: CandidateAction): void;
  mark(group: number, index: number, mark: CandidateMarkValue | null): void;
}

function button(key: string, label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const node = el('button', { type: 'button', 'data-key': key, ...attrs }, label);
  node.addEventListener('click', onClick);
  return node;
}

function chartSvg(chart: SpreadChart): SVGElement {
  const root = svg('svg', { viewBox: `0 0 ${chart.width} ${chart.height}`, width: chart.width, height: chart.height, role: 'img', class: 'spread' });
  root.append(svg('title', {}, `Reward spread from ${formatReward(chart.min)} to ${formatReward(chart.max)}`));
  for (const bar of chart.bars) {
    const y = bar.y;
    root.append(
      svg('text', { x: 0, y: y + chart.barHeight - 3, class: 'bar-label' }, bar.label),
      svg('rect', { x: chart.labelWidth, y, width: bar.length, height: chart.barHeight, rx: 2, class: bar.best ? 'bar best' : 'bar' }),
      svg('text', { x: chart.labelWidth + bar.length + 6, y: y + chart.barHeight - 3, class: 'bar-value' }, formatReward(bar.reward)),
    );
  }
  return root;
}

function statusText(card: CardView): string {
  switch (card.status) {
    case 'sampling':
      return 'sampling…';
    case 'failed':
      return 'failed';
    case 'stopped':
      return 'stopped early';
    case 'done':
      return card.finishReason === 'length' ? 'hit max tokens' : '';
  }
}

function facts(card: CardView): string {
  const parts = [`${card.chars} chars`];
  // An estimate says so ("~"); see tokensTitle for how it was counted.
  if (card.tokens !== undefined) parts.push(`${card.tokensEstimated ? '~' : ''}${card.tokens} tokens`);
  else if (card.status === 'done') parts.push('tokens n/a');
  const status = statusText(card);
  if (status) parts.push(status);
  return parts.join(' · ');
}

/** How a card is flagged: the best of its run, or (compare mode) the answer with the highest reward of all personas. */
type Highlight = 'best' | 'leader' | undefined;

function cardElement(session: PanelSession, group: number, card: CardView, intents: PanelIntents, highlight: Highlight, alone: boolean): HTMLElement {
  const key = `g${group}-c${card.index}`;
  const usable = card.status === 'done' || card.status === 'stopped';
  // A lone candidate's rank says nothing; in a comparison the persona's answer is the point.
  const rank = card.rank === undefined || alone ? '' : `#${card.rank}`;
  const reward = card.reward === undefined ? 'unscored' : `reward ${formatReward(card.reward)}`;
  const title = alone ? 'Answer' : `Candidate ${card.index + 1}`;
  const badge = highlight === 'leader' ? 'Highest reward' : highlight === 'best' ? 'Best' : undefined;
  const label = `${title}${rank ? `, rank ${card.rank}` : ''}, ${reward}${badge ? `, ${badge.toLowerCase()}` : ''}`;
  const classes = ['card', card.status, ...(highlight ? ['best'] : []), ...(card.mark ? [`mark-${card.mark}`] : [])];
  const header = el(
    'header',
    {},
    ...(alone ? [] : [el('span', { class: 'rank' }, rank || '–')]),
    el('span', { class: 'title' }, title),
    ...(badge ? [el('span', { class: 'badge best-badge' }, badge)] : []),
    ...(card.mark ? [el('span', { class: `badge ${card.mark}` }, card.mark === 'chosen' ? 'Chosen' : 'Rejected')] : []),
    el('span', { class: 'reward' }, reward),
  );
  const disabled: Attrs = usable ? {} : { disabled: '' };
  const toggle = (mark: CandidateMarkValue, text: string): HTMLButtonElement =>
    button(`${key}-${mark}`, text, () => intents.mark(group, card.index, card.mark === mark ? null : mark), { ...disabled, class: 'secondary', 'aria-pressed': String(card.mark === mark) });
  const actions = el(
    'div',
    { class: 'actions', role: 'group', 'aria-label': `Actions for candidate ${card.index + 1}` },
    button(`${key}-insert`, 'Insert', () => intents.action(group, card.index, 'insert'), { ...disabled, title: 'Insert at the cursor of the editor the command came from' }),
    button(`${key}-replace`, 'Replace selection', () => intents.action(group, card.index, 'replace'), {
      class: 'secondary',
      ...(session.hasSelection && usable ? {} : { disabled: '', title: 'The command ran without a selection' }),
    }),
    button(`${key}-copy`, 'Copy', () => intents.action(group, card.index, 'copy'), { ...disabled, class: 'secondary' }),
    button(`${key}-open`, 'Open', () => intents.action(group, card.index, 'open'), { ...disabled, class: 'secondary', title: 'Open as a new document' }),
    toggle('chosen', 'Chosen'),
    toggle('rejected', 'Rejected'),
  );
  const factsTitle: Attrs = card.tokensEstimated
    ? { title: 'Estimated: counted from the pieces of text this candidate streamed, shared out so the candidates add up to the token total the server reported for their one request.' }
    : card.tokens === undefined
      ? { title: 'The server reported no token count for this candidate.' }
      : { title: 'Completion tokens as the server counted them.' };
  const body: Node[] = [header, el('div', { class: 'facts', ...factsTitle }, facts(card))];
  if (card.error) body.push(el('p', { class: 'error' }, card.error));
  if (card.rubrics) body.push(cardRubricsElement(key, card.rubrics));
  body.push(el('pre', { class: 'text', tabindex: '0', 'aria-label': `Text of ${title.toLowerCase()}` }, card.text || (card.status === 'sampling' ? '…' : '')));
  body.push(actions);
  return el('article', { class: classes.join(' '), 'aria-label': label, 'data-index': String(card.index) }, ...body);
}

function chipElement(key: string, position: number, chip: RubricChip): HTMLElement {
  const value = chip.score !== undefined ? `${chip.score}/5` : chip.pending ? 'grading…' : 'unscored';
  const state = chip.score !== undefined ? `score-${chip.score}` : chip.error !== undefined ? 'failed' : chip.pending ? 'pending' : 'unscored';
  const hover = [chip.criteria, chip.feedback ? `Feedback: ${chip.feedback}` : '', chip.error ? `Not graded: ${chip.error}` : ''].filter((t) => t !== '').join('\n\n');
  const details = el('details', { class: `chip ${state}` },
    el('summary', { 'data-key': `${key}-r${position}`, title: hover, 'aria-label': `Rubric ${position + 1}: ${value}` }, el('span', { class: 'chip-name' }, `R${position + 1}`), ' ', el('span', { class: 'chip-score' }, value)),
    el('p', { class: 'criteria' }, chip.criteria),
  );
  if (chip.feedback) details.append(el('p', { class: 'feedback' }, chip.feedback));
  if (chip.error) details.append(el('p', { class: 'error' }, `Not graded: ${chip.error}`));
  return el('li', {}, details);
}

/** A comparison column's rubric scores: a chip per rubric (feedback on hover and when opened) and their mean. */
function rubricsElement(groupIndex: number, group: PanelGroup, alone: boolean): HTMLElement | undefined {
  const view = rubricViewOf(group);
  if (!view) return undefined;
  const box = el('section', { class: 'rubrics', 'aria-label': `Rubric scores of ${group.label}` });
  const whose = alone || view.candidate === undefined ? '' : ` of candidate ${view.candidate + 1}`;
  const total = view.chips.length;
  const mean = view.mean === undefined ? (total > 0 ? 'no mean yet' : '') : `mean ${view.mean.toFixed(2)}${view.graded < total ? ` (${view.graded} of ${total} graded)` : ''}`;
  box.append(el('div', { class: 'rubric-head' }, el('span', {}, `Rubric scores${whose}`), ...(mean ? [el('span', { class: 'rubric-mean' }, mean)] : [])));
  if (view.note) box.append(el('p', { class: 'muted rubric-note' }, view.note));
  if (total > 0) box.append(el('ul', { class: 'chips' }, ...view.chips.map((chip, i) => chipElement(`g${groupIndex}`, i, chip))));
  box.append(...gradingFailures(view));
  return box;
}

/** Each distinct grading error once, as an alert. */
function gradingFailures(view: RubricView): HTMLElement[] {
  const failures = new Set(view.chips.flatMap((c) => (c.error === undefined ? [] : [c.error])));
  return [...failures].map((message) => el('p', { class: 'error', role: 'alert' }, `Rubric grading failed: ${message}`));
}

/** A Best-of-N card's rubric chips and their mean, under its facts. */
function cardRubricsElement(key: string, view: RubricView): HTMLElement {
  const total = view.chips.length;
  const mean = view.mean === undefined ? '' : `mean ${view.mean.toFixed(2)}${view.graded < total ? ` (${view.graded} of ${total})` : ''}`;
  const list = el('ul', { class: 'chips', 'aria-label': `Rubric scores${mean ? `, ${mean}` : ''}` }, ...view.chips.map((chip, i) => chipElement(key, i, chip)));
  return el('div', { class: 'card-rubrics' }, list, ...(mean ? [el('span', { class: 'rubric-mean' }, mean)] : []), ...gradingFailures(view));
}

function groupElement(session: PanelSession, groupIndex: number, group: PanelGroup, intents: PanelIntents, leader: number | undefined): HTMLElement {
  const cards = cardsOf(group);
  const alone = session.mode === 'compare' && cards.length === 1;
  const highlight = (card: CardView): Highlight => {
    if (session.mode === 'compare') return leader === groupIndex && card.best ? 'leader' : alone || !card.best ? undefined : 'best';
    return card.best ? 'best' : undefined;
  };
  const section = el('section', { class: 'group', 'aria-label': group.label });
  if (session.mode === 'compare') section.append(el('h2', {}, group.label));
  if (group.system.trim() !== '') {
    const summary = session.mode === 'compare' ? 'System message' : `System message: ${group.system.slice(0, 90)}${group.system.length > 90 ? '…' : ''}`;
    section.append(el('details', { class: 'system' }, el('summary', {}, summary), el('p', {}, group.system)));
  }
  for (const banner of bannersOf(group)) section.append(el('div', { class: `banner ${banner.kind}`, role: banner.kind === 'scoreError' ? 'alert' : 'note' }, banner.text));
  const scored = cards.flatMap((c) => (c.reward === undefined ? [] : [{ index: c.index, reward: c.reward }]));
  const chart = session.mode === 'bestOfN' ? spreadChart(scored, group.run.best) : undefined;
  if (chart) section.append(el('figure', { class: 'chart' }, el('figcaption', {}, `Reward spread: ${formatReward(chart.min)} to ${formatReward(chart.max)}`), chartSvg(chart)));
  const rubrics = rubricsElement(groupIndex, group, alone);
  if (rubrics) section.append(rubrics);
  section.append(el('div', { class: 'cards' }, ...cards.map((card) => cardElement(session, groupIndex, card, intents, highlight(card), alone))));
  return section;
}

/** Renders the whole panel into `root`, keeping focus on the same control. */
export function renderPanel(root: HTMLElement, session: PanelSession | undefined, intents: PanelIntents, notice: string): void {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset['key'] : undefined;
  root.replaceChildren();
  root.setAttribute('aria-busy', String(session === undefined));
  if (!session) {
    root.append(el('p', { class: 'muted' }, 'Waiting for candidates…'));
    return;
  }
  const running = isRunning(session);
  const leader = compareLeader(session);
  const marks = markCount(session);
  const title = session.mode === 'compare' ? 'Compare Personas' : `Best-of-${session.groups[0]?.run.candidates.length || '?'}`;
  const toolbar = el(
    'div',
    { class: 'toolbar' },
    ...(running ? [button('cancel', 'Cancel', () => intents.cancel())] : [button('rescore', 'Re-score all', () => intents.rescore(), { class: 'secondary' })]),
    button('export', `Export pairs${marks > 0 ? ` (${marks} marked)` : ''}`, () => intents.exportPairs(), { class: 'secondary', title: 'Marks of every session, this one and the stored ones' }),
    button('sessions', 'Sessions…', () => intents.openSessions(), { class: 'secondary', title: 'Open a past Best-of-N or Compare Personas session' }),
  );
  root.append(
    el(
      'header',
      { class: 'top' },
      el('h1', {}, title),
      el('span', { class: 'status' }, statusLine(session)),
      el('span', { class: 'notice', role: 'status', 'aria-live': 'polite' }, notice),
      toolbar,
    ),
    ...(session.error ? [el('div', { class: 'banner scoreError', role: 'alert' }, session.error)] : []),
    el('details', { class: 'prompt' }, el('summary', {}, `Prompt: ${session.prompt.slice(0, 100)}${session.prompt.length > 100 ? '…' : ''}`), el('p', {}, session.prompt)),
    el('div', { class: `groups ${session.mode}` }, ...session.groups.map((g, i) => groupElement(session, i, g, intents, leader))),
  );
  if (focused) root.querySelector<HTMLElement>(`[data-key="${focused}"]`)?.focus();
}
