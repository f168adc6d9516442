// Results computed once per parsed schema object. A schema file shared by many collections is one parsed object
// (src/catalog/schema-files.ts), and walking or hashing it again for each of them dominated start-up (bench,
// 1,000 bindings of which 500 share GitHub's 630 KB webhook schema). Parsed schemas are never mutated, so the
// identity is a safe key; a WeakMap lets a reloaded catalog's schemas go.
export function oncePerObject<T>(compute: (object: object) => T): (object: object) => T {
  const results = new WeakMap<object, T>();
  return (object) => {
    if (results.has(object)) return results.get(object) as T;
    const result = compute(object);
    results.set(object, result);
    return result;
  };
}
