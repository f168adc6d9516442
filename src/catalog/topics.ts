// Each collection owns its topic: two collections on one topic would mix documents under different schemas
// and keys. Kafka also refuses topics whose names differ only by '.' vs '_' (they share metric names).
import type { CollectionDraft } from './collections.js';
import { topicCollisionKey } from './names.js';
import type { ProblemLog } from './problems.js';

export function checkTopicCollisions(collections: Iterable<CollectionDraft>, log: ProblemLog): void {
  const byKey = new Map<string, CollectionDraft>();
  for (const collection of collections) {
    const key = topicCollisionKey(collection.topic);
    const earlier = byKey.get(key);
    if (!earlier) {
      byKey.set(key, collection);
    } else if (earlier.topic === collection.topic) {
      log.error(
        collection.topicLocation,
        `topic '${collection.topic}' is also the topic of collection ${earlier.name} (${earlier.topicLocation.path})`,
      );
    } else {
      log.error(
        collection.topicLocation,
        `topic '${collection.topic}' collides with '${earlier.topic}' of collection ${earlier.name}: Kafka ` +
          `refuses topics that differ only by '.' vs '_', because their metric names collide`,
      );
    }
  }
}
