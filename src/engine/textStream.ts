// Turns generated tokens into text deltas that are safe to send: no half of a multi-byte character
// (byte-fallback tokens split them) and no beginning of a stop string that may still complete.

/** Detokenizes `tokens`, using `context` (the tokens before them) for leading-space rules. */
export type Detokenize = (tokens: readonly number[], context: readonly number[]) => string;

const REPLACEMENT = '\uFFFD';
const CONTEXT_TOKENS = 4;

export interface TextStepResult {
  /** Text that can be sent now. */
  readonly delta: string;
  /** True once a stop string was seen: generation must end; the stop string itself is not sent. */
  readonly stopped: boolean;
}

export class TokenTextStream {
  private readonly tokens: number[] = [];
  private committedTokens = 0;
  /** All text decoded so far, stop strings included. */
  private text = '';
  private sent = 0;
  private done = false;

  constructor(
    private readonly detokenize: Detokenize,
    private readonly stops: readonly string[],
  ) {}

  /** Feeds one token; returns what may be sent now. */
  push(token: number): TextStepResult {
    if (this.done) return { delta: '', stopped: true };
    this.tokens.push(token);
    const pendingTokens = this.tokens.slice(this.committedTokens);
    const context = this.tokens.slice(Math.max(0, this.committedTokens - CONTEXT_TOKENS), this.committedTokens);
    const pendingText = this.detokenize(pendingTokens, context);
    // A trailing replacement character is an incomplete UTF-8 sequence: wait for the next byte.
    // Eight tokens cover the longest sequence (4 bytes) with room; past that the model really emitted it.
    if (pendingText.endsWith(REPLACEMENT) && pendingTokens.length < 8) return { delta: '', stopped: false };
    this.text += pendingText;
    this.committedTokens = this.tokens.length;
    return this.release(false);
  }

  /** Ends the stream: everything held back (a partial stop string, a partial character) is sent. */
  finish(): TextStepResult {
    if (this.done) return { delta: '', stopped: true };
    if (this.committedTokens < this.tokens.length) {
      const context = this.tokens.slice(Math.max(0, this.committedTokens - CONTEXT_TOKENS), this.committedTokens);
      this.text += this.detokenize(this.tokens.slice(this.committedTokens), context);
      this.committedTokens = this.tokens.length;
    }
    return this.release(true);
  }

  get completionText(): string {
    return this.text.slice(0, this.sent);
  }

  private release(final: boolean): TextStepResult {
    const searchFrom = Math.max(0, this.sent - this.longestStop());
    let stopAt = -1;
    for (const stop of this.stops) {
      const at = this.text.indexOf(stop, searchFrom);
      if (at >= 0 && (stopAt < 0 || at < stopAt)) stopAt = at;
    }
    if (stopAt >= 0) {
      this.done = true;
      this.text = this.text.slice(0, stopAt);
      const delta = this.text.slice(this.sent);
      this.sent = this.text.length;
      return { delta, stopped: true };
    }
    const end = final ? this.text.length : this.text.length - this.heldBack();
    const delta = this.text.slice(this.sent, end);
    this.sent = Math.max(this.sent, end);
    if (final) this.done = true;
    return { delta, stopped: false };
  }

  private longestStop(): number {
    return this.stops.reduce((max, s) => Math.max(max, s.length), 0);
  }

  /** Length of the longest suffix of the text that begins some stop string. */
  private heldBack(): number {
    let held = 0;
    for (const stop of this.stops) {
      for (let len = Math.min(stop.length - 1, this.text.length); len > held; len--) {
        if (this.text.endsWith(stop.slice(0, len))) {
          held = len;
          break;
        }
      }
    }
    return held;
  }
}
