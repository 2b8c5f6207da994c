/**
 * Offsets to 0-based lines and columns (UTF-16 code units, as VS Code's `Position` counts them).
 * Shared by bench files and persona files, so both report positions the same way.
 */
export interface SourceRange {
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
  /** Exclusive end. */
  readonly endLine: number;
  readonly endColumn: number;
}

export class LineMap {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    // \r\n counts once; a lone \r or \n also ends a line, as it does in the editor. A regex scan
    // keeps this fast on a 9 MB bench file.
    const breaks = /\r\n|\r|\n/g;
    for (let m = breaks.exec(text); m; m = breaks.exec(text)) this.starts.push(m.index + m[0].length);
  }

  /**
   * The line and column of `offset`, kept to a position the editor has: never past the end of the
   * text (a problem reported at the end of the file, or one character long there), and never
   * between the \r and \n of a line break (there it is the end of that line).
   */
  position(at: number): { line: number; column: number } {
    let offset = Math.max(0, Math.min(at, this.text.length));
    if (offset > 0 && this.text.charCodeAt(offset) === 10 && this.text.charCodeAt(offset - 1) === 13) offset--;
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, column: offset - (this.starts[low] ?? 0) };
  }

  range(offset: number, length: number): SourceRange {
    const start = this.position(offset);
    const end = this.position(offset + length);
    return { offset, length, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  }
}
