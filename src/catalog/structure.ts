// The catalog's shape, checked with schemas/catalog.schema.json: the file editors complete catalogs with is the
// only statement of which properties exist, which are required and what type each has (issue 12). Code checks
// only what a schema cannot say: references (targets), collisions (names, paths, topics), secrets that resolve,
// provable keys, path templates and origins. ajv's errors become problems at the offending key or value, in the
// catalog's words.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { packageFile } from '../package-files.js';
import type { Location } from './model.js';
import { at, isMapping, type ProblemLog } from './problems.js';

type Schema = Record<string, unknown>;

export const CATALOG_SCHEMA: Schema = JSON.parse(
  readFileSync(packageFile('schemas/catalog.schema.json'), 'utf8'),
) as Schema;

// allErrors: one run reports every problem; verbose: errors carry the failing subschema, whose description
// explains the rule in the message.
const validate = new Ajv2020({
  strict: true,
  strictTypes: false,
  strictRequired: false,
  allErrors: true,
  verbose: true,
}).compile(CATALOG_SCHEMA);

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

/** RFC 6901 pointer -> path steps; list indexes become numbers where the value is a list. */
function stepsOf(pointer: string, root: unknown): Array<string | number> {
  if (pointer === '') return [];
  const steps: Array<string | number> = [];
  let value = root;
  for (const raw of pointer.slice(1).split('/')) {
    const step = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(value)) {
      steps.push(Number(step));
      value = value[Number(step)];
    } else {
      steps.push(step);
      value = isMapping(value) ? value[step] : undefined;
    }
  }
  return steps;
}

/** `keepHeaders[1]`, `resource`: the property a message is about, as the catalog names it. */
function subjectOf(steps: ReadonlyArray<string | number>): string {
  let subject = '';
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    if (typeof step === 'number') subject = `[${step}]${subject}`;
    else return `${step}${subject}`;
  }
  return subject;
}

/** What is wrong, in words: the rule comes from the failing subschema's description when it has one. */
function describe(error: ErrorObject, name: string): string {
  const parent = (error.parentSchema ?? {}) as Schema;
  const rule = typeof parent['description'] === 'string' ? parent['description'] : undefined;
  const subject = name === '' ? 'the catalog' : name;
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((parent['properties'] as Schema | undefined) ?? {});
      const property = (error.params as { additionalProperty: string }).additionalProperty;
      return `unknown property '${property}' (expected one of: ${known.join(', ')})`;
    }
    case 'required':
      return `${(error.params as { missingProperty: string }).missingProperty} is required`;
    case 'type': {
      const types = ([] as string[]).concat((error.params as { type: string | string[] }).type);
      return `${subject} must be ${rule ?? types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'enum':
      return `${subject} must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'oneOf':
    case 'anyOf':
      return `${subject} must be ${rule ?? 'one of the documented forms'}`;
    case 'propertyNames': {
      const names = (error.schema as { $ref?: string }).$ref?.replace('#/$defs/', '');
      const defs = CATALOG_SCHEMA['$defs'] as Record<string, Schema>;
      const what = names ? (defs[names]?.['description'] as string | undefined) : undefined;
      return `'${(error.params as { propertyName: string }).propertyName}' is not ${what ?? 'a valid name'}`;
    }
    default:
      return rule ? `${subject} must be ${rule}` : `${subject} ${error.message ?? 'is not valid'}`;
  }
}

/**
 * One message per mistake: the branches of a failed oneOf/anyOf (each alternative's complaint) and the `if` of
 * an if/then are dropped in favour of the error that names the whole rule; the inner error of a bad property name
 * in favour of the propertyNames error.
 */
function essential(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  return errors.filter((error) => {
    if (error.keyword === 'if') return false;
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') return false;
    return !alternatives.some(
      (alt) =>
        alt !== error &&
        error.schemaPath.startsWith(`${alt.schemaPath}/`) &&
        error.instancePath.startsWith(alt.instancePath),
    );
  });
}

/** Validates one parsed catalog file's content; every problem goes to `log.shape` at its key or value. */
export function checkStructure(content: unknown, root: Location, log: ProblemLog): boolean {
  if (validate(content)) return true;
  const said = new Set<string>();
  for (const error of essential(validate.errors ?? [])) {
    const steps = stepsOf(error.instancePath, content);
    // An unknown property and a bad name are reported at the key itself.
    const extra =
      error.keyword === 'additionalProperties'
        ? [(error.params as { additionalProperty: string }).additionalProperty]
        : error.keyword === 'propertyNames'
          ? [(error.params as { propertyName: string }).propertyName]
          : [];
    const location = at(root, ...steps, ...extra);
    // A missing property or a bad name says nothing about the rest of that value: code still checks it.
    const covers = error.keyword !== 'required' && error.keyword !== 'propertyNames';
    const message = describe(error, subjectOf(steps));
    // A value of the wrong type also fails the alternatives that expect a mapping: one line says both.
    if (said.has(`${location.path}\0${message}`)) continue;
    said.add(`${location.path}\0${message}`);
    log.shape(location, message, covers);
  }
  return false;
}
