import { describe, expect, it } from 'vitest';
import { documentKeyProblem, metaKeyProblem } from '../../src/catalog/keys.js';

const tokens = (pointer: string): string[] => pointer.slice(1).split('/');

describe('documentKeyProblem', () => {
  const schema = {
    type: 'object',
    required: ['id', 'user', 'ref', 'merged', 'count', 'price', 'tags', 'maybe', 'loose'],
    properties: {
      id: { type: 'string' },
      user: { type: 'object', required: ['login'], properties: { login: { type: 'string' }, name: {} } },
      ref: { $ref: '#/$defs/ref' },
      merged: { allOf: [{ type: 'object' }, { required: ['a'], properties: { a: { type: 'integer' } } }] },
      count: { type: 'number', allOf: [{ type: 'integer' }] },
      price: { type: 'number' },
      tags: { type: 'array' },
      maybe: { type: ['string', 'null'] },
      loose: { required: ['x'] },
    },
    $defs: { ref: { type: 'object', required: ['sha'], properties: { sha: { type: 'string' } } } },
    definitions: { old: { type: 'boolean' } },
  };

  it.each(['/id', '/user/login', '/ref/sha', '/merged/a', '/count'])('proves %s', (pointer) => {
    expect(documentKeyProblem(tokens(pointer), schema)).toBeUndefined();
  });

  it.each([
    ['/missing', /'missing' is not in 'required' at the document root/],
    ['/user/name', /'name' is not in 'required' at \/user/],
    ['/user', /may be object: keys must be string, integer or boolean/],
    ['/price', /may be number/],
    ['/tags', /may be array/],
    ['/maybe', /may be null/],
    ['/loose/x', /\/loose may be any type, so 'x' inside it is not proven/],
  ])('refuses %s', (pointer, problem) => {
    expect(documentKeyProblem(tokens(pointer), schema)).toMatch(problem);
  });

  it('follows #/definitions and allOf at the root', () => {
    const draft07 = {
      allOf: [{ $ref: '#/definitions/base' }],
      definitions: { base: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } },
    };
    expect(documentKeyProblem(['id'], draft07)).toBeUndefined();
  });

  it('says so when a $ref cannot be followed', () => {
    expect(documentKeyProblem(['id'], { $ref: 'other.json' })).toMatch(/\$ref other.json cannot be followed/);
  });

  it('accepts a required key with no declared type', () => {
    expect(documentKeyProblem(['id'], { required: ['id'] })).toBeUndefined();
  });

  it('survives $ref cycles', () => {
    const cyclic = { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } };
    expect(documentKeyProblem(['id'], cyclic)).toMatch(/not in 'required'/);
  });
});

describe('metaKeyProblem', () => {
  const bindings = [
    { label: 'acmeCo/github/a', path: '/a/{org}', params: ['org'] },
    { label: 'acmeCo/github/b', path: '/b/{org}/{repo}', params: ['org', 'repo'] },
  ];
  it.each(['/_meta/uuid', '/_meta/webhookId', '/_meta/receivedAt', '/_meta/pathParams/org'])(
    'accepts %s',
    (pointer) => {
      expect(metaKeyProblem(tokens(pointer), bindings)).toBeUndefined();
    },
  );
  it.each([
    ['/_meta', /is an object/],
    ['/_meta/pathParams', /is an object/],
    ['/_meta/pathParams/repo', /missing in acmeCo\/github\/a \(\/a\/\{org\}\)/],
    ['/_meta/headers/x-github-event', /not guaranteed: a request may omit a header/],
    ['/_meta/query/id', /not guaranteed: a request may omit a query parameter/],
    ['/_meta/op', /not a field the gateway sets/],
    ['/_meta/uuid/x', /is a scalar/],
  ])('refuses %s', (pointer, problem) => {
    expect(metaKeyProblem(tokens(pointer), bindings)).toMatch(problem);
  });
});
