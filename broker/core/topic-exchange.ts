import type { Binding, Destination } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';
import { TopicTrie } from './topic-trie';

export class TopicExchange extends Exchange {
  readonly type = 'topic' as const;
  private readonly trie = new TopicTrie<Destination>();

  route(msg: Message, out: Set<Destination>): void {
    const dests = this.trie.match(msg.routingKey);
    for (let i = 0; i < dests.length; i++) out.add(dests[i]);
  }

  protected indexAdd(b: Binding): void {
    this.trie.add(b.routingKey, b.destination);
  }

  protected indexRemove(b: Binding): void {
    this.trie.remove(b.routingKey, b.destination);
  }
}
