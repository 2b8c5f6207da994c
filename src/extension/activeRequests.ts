import type * as vscode from 'vscode';

export interface ActiveRequest {
  readonly signal: AbortSignal;
  /** Ends the request's registration; call in `finally`. */
  end(): void;
}

/**
 * One AbortController per request in flight, so a progress notification's Cancel, closing the
 * output document and deactivation all stop the same request the same way.
 */
export class ActiveRequests implements vscode.Disposable {
  private readonly controllers = new Set<AbortController>();

  begin(token?: vscode.CancellationToken): ActiveRequest {
    const controller = new AbortController();
    this.controllers.add(controller);
    const subscription = token?.onCancellationRequested(() => controller.abort());
    return {
      signal: controller.signal,
      end: () => {
        subscription?.dispose();
        this.controllers.delete(controller);
      },
    };
  }

  get size(): number {
    return this.controllers.size;
  }

  /** Aborts every request in flight; returns how many there were. */
  cancelAll(): number {
    const count = this.controllers.size;
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
    return count;
  }

  dispose(): void {
    this.cancelAll();
  }
}
