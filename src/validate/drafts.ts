// Which JSON Schema draft a schema is written in. Vendors publish all five in use (draft-04 is still the most
// common among public schemas: 180 of a corpus of 951), so `$schema` selects; without it a schema is 2020-12,
// the current draft (a caller that knows better, like the JSON-Schema-Test-Suite's draft directories, says so).

export type SchemaDraft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

export const DEFAULT_DRAFT: SchemaDraft = '2020-12';

/** Canonical `$schema` URI of each draft, as ajv registers its meta-schemas. */
export const META_SCHEMAS: Record<SchemaDraft, string> = {
  'draft-04': 'http://json-schema.org/draft-04/schema#',
  'draft-06': 'http://json-schema.org/draft-06/schema#',
  'draft-07': 'http://json-schema.org/draft-07/schema#',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

/** The vocabularies each draft's own meta-schema turns on, where drafts have vocabularies (2019-09 on). */
const STANDARD_VOCABULARIES: Partial<Record<SchemaDraft, readonly string[]>> = {
  '2019-09': ['core', 'applicator', 'validation', 'meta-data', 'format', 'content'].map(
    (name) => `https://json-schema.org/draft/2019-09/vocab/${name}`,
  ),
  '2020-12': ['core', 'applicator', 'unevaluated', 'validation', 'meta-data', 'content'].map(
    (name) => `https://json-schema.org/draft/2020-12/vocab/${name}`,
  ),
};

/** http/https and a trailing `#` are not significant in how vendors spell a draft. */
function spelling(uri: string): string {
  return uri.replace(/^https?:\/\//, '').replace(/#$/, '');
}

const DRAFT_BY_SPELLING = new Map<string, SchemaDraft>(
  Object.entries(META_SCHEMAS).map(([draft, uri]) => [spelling(uri), draft as SchemaDraft]),
);

/** The draft a `$schema` URI names, when it is one of the five. */
export function draftOfUri(uri: string): SchemaDraft | undefined {
  return DRAFT_BY_SPELLING.get(spelling(uri));
}

export interface DraftChoice {
  draft: SchemaDraft;
  /**
   * Set when `$schema` names a custom meta-schema whose `$vocabulary` leaves out vocabularies of its draft
   * (e.g. no validation vocabulary): keywords of those vocabularies must then be ignored.
   */
  missingVocabularies?: string[];
}

/** The error a schema whose `$schema` cannot be followed gets. */
export class UnknownDraftError extends Error {}

/**
 * The draft a schema is written in, from its root `$schema`, or `defaultDraft` without one. A custom meta-schema
 * is followed when `metaSchemaOf` finds it (the catalog's own schema files): its own `$schema` names the draft.
 */
export function chooseDraft(
  schema: unknown,
  defaultDraft: SchemaDraft = DEFAULT_DRAFT,
  metaSchemaOf: (uri: string) => unknown = () => undefined,
): DraftChoice {
  if (typeof schema !== 'object' || schema === null || !('$schema' in schema)) return { draft: defaultDraft };
  const uri = (schema as { $schema: unknown }).$schema;
  if (typeof uri !== 'string') throw new UnknownDraftError('$schema must be a string');
  const known = draftOfUri(uri);
  if (known) return { draft: known };
  // A custom meta-schema: follow its $schema chain (a few steps at most; a loop is a problem, not a hang).
  let meta = metaSchemaOf(uri.replace(/#$/, ''));
  let vocabulary: unknown;
  for (let step = 0; step < 8 && typeof meta === 'object' && meta !== null; step++) {
    const record = meta as Record<string, unknown>;
    vocabulary ??= record['$vocabulary'];
    if (typeof record['$schema'] !== 'string') break;
    const draft = draftOfUri(record['$schema']);
    if (draft) {
      const standard = STANDARD_VOCABULARIES[draft] ?? [];
      const declared =
        typeof vocabulary === 'object' && vocabulary !== null ? Object.keys(vocabulary) : undefined;
      const missing = declared ? standard.filter((v) => !declared.includes(v) && !v.endsWith('/core')) : [];
      return missing.length > 0 ? { draft, missingVocabularies: missing } : { draft };
    }
    meta = metaSchemaOf(record['$schema'].replace(/#$/, ''));
  }
  throw new UnknownDraftError(
    `unsupported $schema '${uri}' (supported: draft-04, draft-06, draft-07, 2019-09, 2020-12, or a meta-schema ` +
      'among the catalog’s schema files that is written in one of them)',
  );
}
