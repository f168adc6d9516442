// Where a catalog path is in its file: `captures.acmeCo/shop.bindings[1].target` -> line 12, column 9. Problems
// are found on the parsed value and placed with the yaml library's node ranges (its CST offsets mapped to lines
// by a LineCounter), so editors and CI can annotate `file:line:column` (issue 12). JSON files are parsed by the
// same library (YAML 1.2 is a superset of JSON), so they get positions too.
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface Position {
  /** 1-based. */
  line: number;
  column: number;
}

export type Steps = ReadonlyArray<string | number>;

/** A file as the YAML parser read it: what positions are looked up in. */
type ParsedText = { document: Document.Parsed; lines: LineCounter };

/** Positions within one parsed file. */
export class FilePositions {
  private parsed: ParsedText | undefined;

  /** `parse` is called on the first lookup only: a file whose value came from JSON.parse may never need one. */
  constructor(private readonly parse: () => ParsedText) {}

  private get file(): ParsedText {
    this.parsed ??= this.parse();
    return this.parsed;
  }

  private at(offset: number): Position {
    const { line, col } = this.file.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * The position of the deepest node on `steps` that exists: a mapping key is placed at the key (where an
   * editor shows "unknown property"), a list item at the item; a path that leaves the file (a default value, a
   * property that is missing) at its nearest written ancestor.
   */
  of(steps: Steps): Position {
    let node: unknown = this.file.document.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (const step of steps) {
      if (isAlias(node)) node = node.resolve(this.file.document);
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === step);
        if (pair === undefined) break;
        const key = pair.key as Node;
        offset = key.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step] as Node | undefined;
        if (item === undefined) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return this.at(offset);
  }
}
