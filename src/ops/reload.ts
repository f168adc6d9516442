// Catalog reload on SIGHUP (and, when enabled, on a change in the catalog's folder). The new catalog is loaded
// and checked completely before anything changes; only then is it swapped in, at once (app.setCatalog). A
// catalog with problems keeps the old one serving, and every problem is logged.
import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { loadCatalog } from '../catalog/load.js';
import type { Catalog } from '../catalog/model.js';
import { formatProblems } from '../catalog/report.js';

/** What a reload swaps the catalog of (src/app.ts's App): named here so ops does not import the app. */
export interface ReloadTarget {
  catalog(): Catalog;
  /** Swaps the served catalog at once; throws when the running gateway cannot serve it. */
  setCatalog(catalog: Catalog): void;
  metrics: { catalogReloads: Counter<'result'> };
}

export interface ReloadOptions {
  file: string;
  app: ReloadTarget;
  logger: Logger;
  /** Creates the topics of new collections (when topic creation is enabled); throws when it cannot. */
  ensureTopics?: (topics: string[]) => Promise<void>;
}

export type ReloadResult = 'reloaded' | 'refused';

export async function reloadCatalog(opts: ReloadOptions): Promise<ReloadResult> {
  const { app, logger } = opts;
  const loaded = await loadCatalog(opts.file);
  if (loaded.catalog === undefined) {
    app.metrics.catalogReloads.inc({ result: 'refused' });
    logger.error(
      { problems: formatProblems({ problems: loaded.problems, warnings: [] }).split('\n') },
      `catalog reload refused: ${loaded.problems.length} problem(s); the current catalog keeps serving`,
    );
    return 'refused';
  }
  for (const w of loaded.warnings) logger.warn({ location: w.location }, w.message);
  const current = new Set(app.catalog().bindings.map((b) => b.collection.topic));
  const added = [...new Set(loaded.catalog.bindings.map((b) => b.collection.topic))].filter(
    (t) => !current.has(t),
  );
  if (added.length > 0 && opts.ensureTopics) {
    try {
      await opts.ensureTopics(added);
    } catch (err) {
      app.metrics.catalogReloads.inc({ result: 'refused' });
      logger.error(
        { err, topics: added },
        'catalog reload refused: could not create topics of new collections',
      );
      return 'refused';
    }
  }
  app.setCatalog(loaded.catalog);
  app.metrics.catalogReloads.inc({ result: 'reloaded' });
  logger.info({ bindings: loaded.catalog.bindings.map((b) => b.path), newTopics: added }, 'catalog reloaded');
  return 'reloaded';
}

/** A folder change arrives as bursts of events (editors write, rename, chmod): wait for quiet first. */
const DEBOUNCE_MS = 300;

/**
 * Reloads on SIGHUP, and on changes in the catalog's folder (recursively) when `watchFiles` is set. Reloads
 * never overlap: one asked for while another runs happens right after it. Returns a function that stops both.
 */
export function reloadOnSignal(opts: ReloadOptions & { watchFiles: boolean }): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = reloadCatalog(opts)
      .then(
        () => undefined,
        (err: unknown) => opts.logger.error({ err }, 'catalog reload failed'),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const onHup = (): void => {
    opts.logger.info('SIGHUP: reloading the catalog');
    run();
  };
  process.on('SIGHUP', onHup);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (opts.watchFiles) {
    watcher = watch(dirname(opts.file), { recursive: true, persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    });
    watcher.on('error', (err) => opts.logger.warn({ err: err.message }, 'catalog watch stopped'));
  }
  return () => {
    process.off('SIGHUP', onHup);
    clearTimeout(timer);
    watcher?.close();
  };
}
