// What a compiled collection schema gives the rest of the gateway: a function from a document to its failures.
// Defined here, in the validator's own room; the catalog's model names these types, src/validate imports nothing
// from src/catalog.

/** A compiled JSON-schema check. Returns null when valid, else every failure (allErrors). */
export type DocumentValidator = (document: unknown) => ValidationFailure[] | null;

export interface ValidationFailure {
  /** JSON pointer into the document (RFC 6901), '' for the root. */
  pointer: string;
  /** The schema keyword that failed, e.g. `required`, `type`, `additionalProperties`. */
  keyword: string;
  message: string;
  /** Pointer into the schema, for readers who need to see the rule. */
  schemaPath: string;
}
