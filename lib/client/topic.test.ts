import { describe, expect, it } from 'vitest';
import { sampleKeysFor, topicMatches } from './topic';

describe('topicMatches', () => {
  it('matches words, * and # as the broker does', () => {
    expect(topicMatches('order.*', 'order.created')).toBe(true);
    expect(topicMatches('order.*', 'order')).toBe(false);
    expect(topicMatches('order.*', 'order.created.eu')).toBe(false);
    expect(topicMatches('order.#', 'order')).toBe(true);
    expect(topicMatches('order.#', 'order.a.b.c')).toBe(true);
    expect(topicMatches('#', '')).toBe(true);
    expect(topicMatches('#.eu', 'order.created.eu')).toBe(true);
    expect(topicMatches('*.*.eu', 'order.eu')).toBe(false);
    expect(topicMatches('a.#.b.#.c', 'a.x.b.y.z.c')).toBe(true);
    expect(topicMatches('', '')).toBe(true);
    expect(topicMatches('', 'a')).toBe(false);
  });
  it('suggests sample keys around a pattern', () => {
    const keys = sampleKeysFor('order.*', ['order.created']);
    expect(keys).toContain('order.created');
    expect(keys.some((k) => !topicMatches('order.*', k))).toBe(true);
  });
});
