import type { Destinations } from './destinations';
import type { Binding } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';

export class FanoutExchange extends Exchange {
  readonly type = 'fanout' as const;

  route(_msg: Message, out: Destinations): number {
    for (const b of this.bindings.values()) {
      b.routed++;
      out.add(b.destination);
    }
    return this.bindings.size;
  }

  protected indexAdd(_b: Binding): void {}
  protected indexRemove(_b: Binding): void {}
}
