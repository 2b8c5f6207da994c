/** Every id the manifest and the code share, in one place so a rename cannot miss one. */

export const commandIds = {
  generate: 'janus.generate',
  checkEndpoints: 'janus.checkEndpoints',
  setApiKey: 'janus.setApiKey',
  startLocalEngine: 'janus.startLocalEngine',
  stopLocalEngine: 'janus.stopLocalEngine',
  installLocalEngineRuntime: 'janus.installLocalEngineRuntime',
  showLog: 'janus.showLog',
  newPersona: 'janus.newPersona',
  selectActivePersona: 'janus.selectActivePersona',
  synthesizeSystemMessage: 'janus.synthesizeSystemMessage',
  draftRubrics: 'janus.draftRubrics',
  generateBestOfN: 'janus.generateBestOfN',
  comparePersonas: 'janus.comparePersonas',
  exportPreferencePairs: 'janus.exportPreferencePairs',
  openBestOfNSession: 'janus.openBestOfNSession',
  evaluateBench: 'janus.evaluateBench',
  showBatchEvaluations: 'janus.showBatchEvaluations',
  generateBenchResponses: 'janus.generateBenchResponses',
  scoreDocument: 'janus.scoreDocument',
  selectEvaluationResults: 'janus.selectEvaluationResults',
  showEvaluationFeedback: 'janus.showEvaluationFeedback',
  exportEvaluationSummary: 'janus.exportEvaluationSummary',
  compareEvaluationRuns: 'janus.compareEvaluationRuns',
  openParquetBench: 'janus.openParquetBench',
} as const;
export type CommandId = (typeof commandIds)[keyof typeof commandIds];

/** Context keys for `when` clauses. */
export const contextKeys = {
  /** True while the extension's local engine child process runs. */
  localEngineRunning: 'janus.localEngineRunning',
  /** The generator's probed state: ready | loading | unreachable | noKey | modelMissing | error. */
  generatorState: 'janus.generatorState',
} as const;

/** Webview panel types (the serializer restores them after a reload). */
export const panelTypes = {
  candidates: 'janus.candidates',
} as const;

export const viewIds = {
  container: 'janus',
  personas: 'janus.personas',
} as const;

/** globalState keys: nothing secret is ever stored under these. */
export const stateKeys = {
  recentSystemMessages: 'janus.recentSystemMessages',
} as const;

/** workspaceState keys (per workspace). */
export const workspaceStateKeys = {
  /** URI string of the active persona file. */
  activePersona: 'janus.activePersona',
} as const;

export const configSection = 'janus';
export const logChannelName = 'Janus';
