// Topic routing as the broker does it: words split on `.`, `*` is exactly one word, `#` is zero
// or more words. Used to preview which sample keys a binding pattern would match.

export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  // memo over (i, j): does p[i..] match k[j..]
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const id = i * (k.length + 1) + j;
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    let r: boolean;
    if (i === p.length) r = j === k.length;
    else if (p[i] === '#') r = go(i + 1, j) || (j < k.length && go(i, j + 1));
    else if (j === k.length) r = false;
    else r = (p[i] === '*' || p[i] === k[j]) && go(i + 1, j + 1);
    memo.set(id, r);
    return r;
  };
  return go(0, 0);
}

/** Keys that example traffic might use for a pattern: its words with wildcards filled in. */
export function sampleKeysFor(pattern: string, seen: readonly string[]): string[] {
  const out = new Set<string>(seen);
  const words = pattern === '' ? [] : pattern.split('.');
  const fill = (w: string, alt: string) => (w === '*' ? alt : w === '#' ? alt : w);
  if (words.length > 0) {
    out.add(words.map((w) => fill(w, 'created')).join('.'));
    out.add(words.filter((w) => w !== '#').map((w) => fill(w, 'eu')).join('.'));
    out.add([...words.map((w) => fill(w, 'order')), 'extra'].join('.'));
    if (words.length > 1) out.add(words.slice(0, -1).map((w) => fill(w, 'x')).join('.'));
  }
  out.delete('');
  return [...out].slice(0, 12);
}
