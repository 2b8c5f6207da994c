import * as vscode from 'vscode';
import { UserFacingError } from '../core/errors';
import type { Persona } from '../core/preferences/persona';
import { commandIds, workspaceStateKeys } from './constants';
import type { PersonaRead } from './personaStore';
import { readPersona } from './personaStore';

/**
 * The workspace's active persona (a persona file's URI in workspaceState), shown in the status
 * bar and used by Janus: Generate as the system message.
 */
export class ActivePersona implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('janus.activePersona', vscode.StatusBarAlignment.Right, 99);
  private readonly emitter = new vscode.EventEmitter<string | null>();
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly state: vscode.Memento) {
    this.item.name = 'Janus Active Persona';
    this.item.command = commandIds.selectActivePersona;
    this.subscriptions = [
      this.item,
      this.emitter,
      // Renaming the persona in its file renames it in the status bar.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.toString() === this.uri) void this.refresh();
      }),
    ];
    void this.refresh();
  }

  /** The active persona's URI string, or null. */
  get uri(): string | null {
    const value = this.state.get<unknown>(workspaceStateKeys.activePersona);
    return typeof value === 'string' ? value : null;
  }

  async set(uri: vscode.Uri | null): Promise<void> {
    await this.state.update(workspaceStateKeys.activePersona, uri?.toString());
    await this.refresh();
    this.emitter.fire(this.uri);
  }

  /**
   * The active persona, read now (unsaved editor changes count). A file that is gone or invalid is
   * an error that says what to do: silently falling back to another system message would generate
   * in a persona the user did not choose.
   */
  async read(): Promise<{ readonly uri: vscode.Uri; readonly persona: Persona } | undefined> {
    const value = this.uri;
    if (value === null) return undefined;
    const uri = vscode.Uri.parse(value);
    let read: PersonaRead;
    try {
      read = await readPersona(uri);
    } catch {
      throw new UserFacingError(`The active persona ${vscode.workspace.asRelativePath(uri)} cannot be read. Run "Janus: Select Active Persona" to choose another.`);
    }
    if (!read.result.ok) {
      const first = read.result.problems[0];
      const where = first ? ` (line ${first.line + 1}, column ${first.column + 1}: ${first.message})` : '';
      throw new UserFacingError(`The active persona ${vscode.workspace.asRelativePath(uri)} is not a valid persona${where}. Fix the file or run "Janus: Select Active Persona".`);
    }
    return { uri, persona: read.result.persona };
  }

  async refresh(): Promise<void> {
    const value = this.uri;
    if (value === null) {
      this.item.text = '$(person) Janus: no persona';
      this.item.tooltip = 'No active persona: Janus: Generate uses janus.systemMessage or asks. Click to select one.';
      this.item.show();
      return;
    }
    const label = vscode.workspace.asRelativePath(vscode.Uri.parse(value));
    try {
      const active = await this.read();
      this.item.text = `$(person) Janus: ${active?.persona.name ?? label}`;
      this.item.tooltip = `Active persona (${label}); Janus: Generate uses its system message. Click to change.`;
      this.item.backgroundColor = undefined;
    } catch (error) {
      this.item.text = `$(warning) Janus: ${label}`;
      this.item.tooltip = error instanceof Error ? error.message : String(error);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    this.item.show();
  }

  /** What the status bar says now (for tests). */
  get statusText(): string {
    return this.item.text;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
