import { describe, expect, it } from 'vitest';
import {
  defaultTopic,
  isCatalogName,
  isToken,
  parsePointer,
  topicCollisionKey,
  topicProblem,
} from '../../src/catalog/names.js';

describe('catalog names (Flow CATALOG_NAME_RE)', () => {
  it.each(['acmeCo/github/events', 'valid-1/valid/2/th.ree', 'Приключения/੫൬/Foo', 'a'])(
    'accepts %s',
    (name) => {
      expect(isCatalogName(name)).toBe(true);
    },
  );
  it.each(['', '/acmeCo', 'acmeCo/', 'acmeCo//x', 'acme Co/x', 'acme:Co'])('refuses %j', (name) => {
    expect(isCatalogName(name)).toBe(false);
  });
  it('binding names are a single token', () => {
    expect(isToken('events.v2')).toBe(true);
    expect(isToken('a/b')).toBe(false);
    expect(isToken('')).toBe(false);
  });
});

describe('topics (Kafka rule)', () => {
  it('accepts legal names and derives the default from the collection name', () => {
    expect(defaultTopic('acmeCo/github/events')).toBe('acmeCo.github.events');
    expect(topicProblem('acmeCo.github.events')).toBeUndefined();
    expect(topicProblem('a'.repeat(249))).toBeUndefined();
  });
  it.each(['.', '..', 'a'.repeat(250), 'has space', 'unicodé', ''])('refuses %j', (topic) => {
    expect(topicProblem(topic)).toBeDefined();
  });
  it('maps . and _ to one collision key', () => {
    expect(topicCollisionKey('a.b_c')).toBe(topicCollisionKey('a_b.c'));
  });
});

describe('JSON pointers (RFC 6901, Flow grammar)', () => {
  it('unescapes ~1 and ~0', () => {
    expect(parsePointer('/a~1b/c~0d/0')).toEqual({ tokens: ['a/b', 'c~d', '0'] });
  });
  it.each(['', '/', 'id', '/a//b', '/a~2', '/a~'])('refuses %j', (pointer) => {
    expect(parsePointer(pointer)).toHaveProperty('problem');
  });
});
