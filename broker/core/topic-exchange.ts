import type { Destinations } from './destinations';
import type { Binding } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';
import { TopicTrie } from './topic-trie';

export class TopicExchange extends Exchange {
  readonly type = 'topic' as const;
  private readonly trie = new TopicTrie<Binding>();

  route(msg: Message, out: Destinations): number {
    const bindings = this.trie.match(msg.routingKey);
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i];
      b.routed++;
      out.add(b.destination);
    }
    return bindings.length;
  }

  protected indexAdd(b: Binding): void {
    this.trie.add(b.routingKey, b);
  }

  protected indexRemove(b: Binding): void {
    this.trie.remove(b.routingKey, b);
  }
}
