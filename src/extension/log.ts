import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { Logger } from '../core/log';

/** The one "Janus" log channel, behind core's logger interface. */
export class ChannelLogger implements Logger, vscode.Disposable {
  constructor(private readonly channel: vscode.LogOutputChannel) {}

  static create(name: string): ChannelLogger {
    return new ChannelLogger(vscode.window.createOutputChannel(name, { log: true }));
  }

  trace(message: string): void {
    this.channel.trace(message);
  }
  debug(message: string): void {
    this.channel.debug(message);
  }
  info(message: string): void {
    this.channel.info(message);
  }
  warn(message: string): void {
    this.channel.warn(message);
  }
  error(message: string, cause?: unknown): void {
    if (cause === undefined) {
      this.channel.error(message);
      return;
    }
    // The cause chain is what a bug report needs; messages in it are ours or the server's.
    const stack = cause instanceof Error && cause.stack ? `\n${cause.stack}` : '';
    const inner = cause instanceof Error && cause.cause !== undefined ? `\n  caused by: ${describeError(cause.cause)}` : '';
    this.channel.error(`${message}: ${describeError(cause)}${inner}${stack}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
