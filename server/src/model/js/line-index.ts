/**
 * Offsets → 1-based line and column, by binary search over line starts. acorn can attach a
 * location object to every node, but that doubles the allocation of a parse: positions are only
 * needed for the few nodes a problem or a member points at, so they are computed on demand.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** Line (1-based) and column (1-based) of `offset` in `file`. */
  at(offset: number, file = ''): { file: string; line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { file, line: low + 1, column: offset - this.starts[low]! + 1 };
  }
}
