// Catalog file(s) -> checked model. Every problem is collected before anything is built, so `tributary check`
// lists all of them in one run; the model exists only when there are none.
import { resolve } from 'node:path';
import { tokenPolicy } from '../auth/tokens.js';
import { type CaptureDraft, checkCapture } from './captures.js';
import { type CollectionDraft, checkCollection, type SchemaFileCache } from './collections.js';
import { checkDeadLetterTopic, deadLetterTopics } from './dead-letter.js';
import { type CatalogFile, readCatalogFiles } from './files.js';
import { documentKeyProblem, type KeyedBinding, metaKeyProblem } from './keys.js';
import type { Binding, Capture, Catalog, CatalogProblem, Collection, Location } from './model.js';
import { checkPathCollisions } from './paths.js';
import { at, fileRoot, isMapping, ProblemLog } from './problems.js';
import { checkTopicCollisions } from './topics.js';

export interface LoadResult {
  /** Present only when `problems` is empty. */
  catalog?: Catalog;
  problems: CatalogProblem[];
  warnings: CatalogProblem[];
}

interface Entry {
  name: string;
  spec: unknown;
  location: Location;
}

/** Entries of `collections` or `captures` across all files; a name defined twice is a problem. */
function gatherEntries(
  files: readonly CatalogFile[],
  section: 'collections' | 'captures',
  log: ProblemLog,
): Entry[] {
  const entries = new Map<string, Entry>();
  const noun = section === 'collections' ? 'collection' : 'capture';
  for (const { file, content } of files) {
    const value = content[section];
    // Not a mapping: the catalog schema reported it.
    if (!isMapping(value)) continue;
    for (const [name, spec] of Object.entries(value)) {
      const location = at(fileRoot(file), section, name);
      const earlier = entries.get(name);
      if (earlier) log.error(location, `${noun} ${name} is already defined in ${earlier.location.file}`);
      else entries.set(name, { name, spec, location });
    }
  }
  return [...entries.values()];
}

/** Gives every problem and warning the line and column of its path, and sorts them file by file, top down. */
function placeProblems(files: readonly CatalogFile[], log: ProblemLog): void {
  const byFile = new Map(files.map((f) => [f.file, f.positions]));
  const order = (problem: CatalogProblem): number[] => {
    const { file, line = 1, column = 1 } = problem.location;
    const index = files.findIndex((f) => f.file === file);
    return [index === -1 ? files.length : index, line, column];
  };
  for (const list of [log.problems, log.warnings]) {
    for (const problem of list) {
      const { location } = problem;
      if (location.line !== undefined) continue;
      const position = byFile.get(location.file)?.of(location.steps ?? []) ?? { line: 1, column: 1 };
      problem.location = { ...location, ...position };
    }
    // Stable: problems at one place keep the order the checks found them in.
    list.sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
  }
}

function checkKeys(collection: CollectionDraft, bindings: readonly KeyedBinding[], log: ProblemLog): void {
  for (const key of collection.key) {
    const problem =
      key.tokens[0] === '_meta'
        ? metaKeyProblem(key.tokens, bindings)
        : documentKeyProblem(key.tokens, collection.schema);
    if (problem) log.error(key.location, `key ${key.pointer}: ${problem}`);
  }
}

function buildCatalog(file: string, collections: CollectionDraft[], captures: CaptureDraft[]): Catalog {
  const catalog: Catalog = { file, collections: new Map(), captures: new Map(), bindings: [] };
  for (const draft of collections) {
    const collection: Collection = {
      name: draft.name,
      schema: draft.schema,
      validate: draft.validate,
      key: draft.key.map((key) => key.pointer),
      topic: draft.topic,
      location: draft.location,
    };
    catalog.collections.set(draft.name, collection);
  }
  for (const draft of captures) {
    const capture: Capture = {
      name: draft.name,
      endpoint: draft.endpoint,
      bindings: [],
      location: draft.location,
    };
    for (const bindingDraft of draft.bindings) {
      const binding: Binding = {
        capture: draft.name,
        name: bindingDraft.name,
        collection: catalog.collections.get(bindingDraft.target)!,
        path: bindingDraft.template.path,
        keepHeaders: bindingDraft.keepHeaders,
        tokens: tokenPolicy(bindingDraft.tokens),
        allowedOrigins: bindingDraft.allowedOrigins,
        resource: bindingDraft.resource,
        location: bindingDraft.location,
      };
      if (bindingDraft.idFromHeader) binding.idFromHeader = bindingDraft.idFromHeader;
      if (bindingDraft.rateLimit) binding.rateLimit = bindingDraft.rateLimit;
      if (bindingDraft.signature) binding.signature = bindingDraft.signature;
      if (bindingDraft.deduplicate) binding.deduplicate = bindingDraft.deduplicate;
      if (bindingDraft.deadLetter) binding.deadLetter = bindingDraft.deadLetter;
      capture.bindings.push(binding);
      catalog.bindings.push(binding);
    }
    catalog.captures.set(draft.name, capture);
  }
  return catalog;
}

async function checkCollections(files: readonly CatalogFile[], log: ProblemLog) {
  const entries = gatherEntries(files, 'collections', log);
  const schemaFiles: SchemaFileCache = new Map();
  const collections: CollectionDraft[] = [];
  for (const entry of entries) {
    const draft = await checkCollection(entry.name, entry.spec, entry.location, schemaFiles, log);
    if (draft) collections.push(draft);
  }
  return { declared: new Set(entries.map((entry) => entry.name)), collections };
}

export interface TopicsResult {
  /** Every collection's topic, in declaration order; present only when `problems` is empty. */
  topics?: string[];
  problems: CatalogProblem[];
  warnings: CatalogProblem[];
}

/**
 * What `tributary topics` needs and nothing more: the collections and their topics. Captures are not read, so
 * their secrets need not be set where topics are created (issue 12).
 */
export async function loadTopics(file: string): Promise<TopicsResult> {
  const log = new ProblemLog();
  const files = await readCatalogFiles(resolve(file), log);
  const { collections } = await checkCollections(files, log);
  checkTopicCollisions(collections, log);
  placeProblems(files, log);
  const outsideCaptures = (problem: CatalogProblem) => problem.location.steps?.[0] !== 'captures';
  const result: TopicsResult = {
    problems: log.problems.filter(outsideCaptures),
    warnings: log.warnings.filter(outsideCaptures),
  };
  if (result.problems.length === 0) {
    // Dead-letter topics too, read from the captures as written: no secret needs to resolve for `topics`.
    const captures = gatherEntries(files, 'captures', new ProblemLog()).map((entry) => entry.spec);
    const topics = collections.map((collection) => collection.topic);
    for (const topic of deadLetterTopics(captures)) if (!topics.includes(topic)) topics.push(topic);
    result.topics = topics;
  }
  return result;
}

/** Loads a catalog file and its imports, checks everything, and builds the model when nothing is wrong. */
export async function loadCatalog(file: string): Promise<LoadResult> {
  const log = new ProblemLog();
  const root = resolve(file);
  const files = await readCatalogFiles(root, log);
  const { declared, collections } = await checkCollections(files, log);
  const captureEntries = gatherEntries(files, 'captures', log);

  const captures: CaptureDraft[] = [];
  for (const entry of captureEntries) {
    const draft = checkCapture(entry.name, entry.spec, entry.location, declared, log);
    if (draft && draft !== 'pull') captures.push(draft);
  }
  const bindings = captures.flatMap((capture) => capture.bindings);
  checkPathCollisions(
    bindings.map((binding) => ({
      template: binding.template,
      owner: `binding ${binding.capture}/${binding.name}`,
      location: binding.pathLocation,
    })),
    log,
  );

  for (const collection of collections) {
    const into = bindings
      .filter((binding) => binding.target === collection.name)
      .map((binding) => ({
        label: `${binding.capture}/${binding.name}`,
        path: binding.template.path,
        params: binding.template.params,
      }));
    checkKeys(collection, into, log);
  }
  checkTopicCollisions(collections, log);
  const deadLetterChecked = new Set<string>();
  for (const binding of bindings) {
    const where = binding.deadLetterLocation;
    if (binding.deadLetter === undefined || where === undefined || deadLetterChecked.has(where.path))
      continue;
    deadLetterChecked.add(where.path);
    checkDeadLetterTopic(binding.deadLetter.topic, collections, where, log);
  }
  placeProblems(files, log);

  const result: LoadResult = { problems: log.problems, warnings: log.warnings };
  if (log.problems.length === 0) result.catalog = buildCatalog(root, collections, captures);
  return result;
}
