/**
 * Topic patterns as a trie over dot-separated words: `*` matches exactly one word, `#` zero or
 * more. Matches for a routing key are cached (bounded) because publishers repeat keys; any change
 * to the patterns clears the cache. Never throws: any string is a valid key or pattern.
 *
 * A match visits each (trie node, word position) at most once, so it takes at most trie size ×
 * (words + 1) steps for any patterns: runs of `#` (`#.#.#.z`) would otherwise try every way of
 * sharing the words among them.
 */
class TrieNode<T> {
  readonly words = new Map<string, TrieNode<T>>();
  star: TrieNode<T> | undefined;
  hash: TrieNode<T> | undefined;
  /** Targets whose pattern ends here, with a count: the same target may be bound twice. */
  readonly targets = new Map<T, number>();
  /** For a node after `#`: in match number `gen`, positions from `from` on are already explored. */
  gen = 0;
  from = 0;

  isEmpty(): boolean {
    return this.words.size === 0 && this.star === undefined && this.hash === undefined && this.targets.size === 0;
  }
}

export class TopicTrie<T> {
  private readonly root = new TrieNode<T>();
  private readonly cache = new Map<string, T[]>();
  private readonly cacheLimit: number;
  private gen = 0;

  constructor(cacheLimit = 4096) {
    this.cacheLimit = cacheLimit;
  }

  add(pattern: string, target: T): void {
    let node = this.root;
    for (const w of routingWords(pattern)) {
      let next: TrieNode<T> | undefined;
      if (w === '*') next = node.star ??= new TrieNode<T>();
      else if (w === '#') next = node.hash ??= new TrieNode<T>();
      else {
        next = node.words.get(w);
        if (next === undefined) node.words.set(w, (next = new TrieNode<T>()));
      }
      node = next;
    }
    node.targets.set(target, (node.targets.get(target) ?? 0) + 1);
    this.cache.clear();
  }

  remove(pattern: string, target: T): void {
    const path: [TrieNode<T>, string][] = [];
    let node: TrieNode<T> | undefined = this.root;
    for (const w of routingWords(pattern)) {
      path.push([node, w]);
      node = w === '*' ? node.star : w === '#' ? node.hash : node.words.get(w);
      if (node === undefined) return;
    }
    const n = node.targets.get(target);
    if (n === undefined) return;
    if (n > 1) node.targets.set(target, n - 1);
    else node.targets.delete(target);
    // Prune empty branches so churn of temporary bindings doesn't grow the trie.
    for (let i = path.length - 1; i >= 0 && node.isEmpty(); i--) {
      const [parent, w] = path[i];
      if (w === '*') parent.star = undefined;
      else if (w === '#') parent.hash = undefined;
      else parent.words.delete(w);
      node = parent;
    }
    this.cache.clear();
  }

  match(routingKey: string): readonly T[] {
    const cached = this.cache.get(routingKey);
    if (cached !== undefined) return cached;
    const found = new Set<T>();
    collect(this.root, routingWords(routingKey), 0, found, ++this.gen);
    const result = [...found];
    if (this.cacheLimit === 0) return result;
    if (this.cache.size >= this.cacheLimit) this.cache.clear();
    this.cache.set(routingKey, result);
    return result;
  }
}

/** As RabbitMQ: the empty key or pattern has no words at all ("a..b" has an empty middle one). */
export function routingWords(s: string): string[] {
  return s === '' ? [] : s.split('.');
}

function collect<T>(node: TrieNode<T>, words: string[], i: number, out: Set<T>, gen: number): void {
  const hash = node.hash;
  if (hash !== undefined) {
    // `#` may swallow zero or more of the remaining words: the node after it is explored from
    // each position j >= i that an earlier visit in this match has not explored already
    let last = words.length;
    if (hash.gen === gen) last = hash.from - 1;
    if (last >= i) {
      hash.gen = gen;
      hash.from = i;
      for (let j = i; j <= last; j++) collect(hash, words, j, out, gen);
    }
  }
  if (i === words.length) {
    for (const t of node.targets.keys()) out.add(t);
    return;
  }
  const next = node.words.get(words[i]);
  if (next !== undefined) collect(next, words, i + 1, out, gen);
  if (node.star !== undefined) collect(node.star, words, i + 1, out, gen);
}
