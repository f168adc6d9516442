// Each binding is a topic on the Kafka-protocol listener (issue 15): `resource.kafkaTopic`, else
// `<capture>.<name>` with '/' as '.' (acmeCo/hooks + github -> acmeCo.hooks.github). Kafka's naming rules apply,
// and names must be unique across captures, '.' and '_' counting as one (Kafka refuses such pairs: their metric
// names collide). A default that breaks the rules is a warning (the binding is then not on the listener), an
// explicit one an error.
import type { BindingDraft } from './captures.js';
import { topicCollisionKey, topicProblem } from './names.js';
import type { ProblemLog } from './problems.js';
import { at } from './problems.js';

export function defaultListenerTopic(capture: string, binding: string): string {
  return `${capture.replace(/\//g, '.')}.${binding}`;
}

/** Sets each draft's `kafkaTopic` (undefined when its default is not a legal name) and reports collisions. */
export function checkListenerTopics(bindings: readonly BindingDraft[], log: ProblemLog): void {
  const byKey = new Map<string, BindingDraft>();
  for (const binding of bindings) {
    const explicit = binding.resource['kafkaTopic'];
    const where = at(binding.location, 'resource', 'kafkaTopic');
    let topic: string | undefined;
    if (typeof explicit === 'string') {
      const problem = topicProblem(explicit);
      if (problem !== undefined) log.error(where, problem);
      else topic = explicit;
    } else {
      const derived = defaultListenerTopic(binding.capture, binding.name);
      const problem = topicProblem(derived);
      if (problem !== undefined) {
        log.warn(
          binding.location,
          `binding ${binding.capture}/${binding.name} is not on the Kafka listener: its default ${problem}; set resource.kafkaTopic`,
        );
      } else topic = derived;
    }
    if (topic === undefined) continue;
    const key = topicCollisionKey(topic);
    const earlier = byKey.get(key);
    // A second binding of the same name in one capture is reported as that already.
    if (earlier !== undefined && earlier.capture === binding.capture && earlier.name === binding.name)
      continue;
    if (earlier !== undefined) {
      const same =
        earlier.kafkaTopic === topic
          ? 'is also'
          : `collides with '${earlier.kafkaTopic}' ('.' and '_' are one to Kafka), which is`;
      log.error(
        typeof explicit === 'string' ? where : binding.location,
        `Kafka listener topic '${topic}' ${same} the topic of binding ${earlier.capture}/${earlier.name}; set resource.kafkaTopic`,
      );
      continue;
    }
    byKey.set(key, binding);
    binding.kafkaTopic = topic;
  }
}
