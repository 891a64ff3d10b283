import type { Destinations } from './destinations';
import type { Binding } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';

export class DirectExchange extends Exchange {
  readonly type = 'direct' as const;
  private readonly byKey = new Map<string, Binding[]>();

  route(msg: Message, out: Destinations): number {
    const bindings = this.byKey.get(msg.routingKey);
    if (bindings === undefined) return 0;
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i];
      b.routed++;
      out.add(b.destination);
    }
    return bindings.length;
  }

  protected indexAdd(b: Binding): void {
    const list = this.byKey.get(b.routingKey);
    if (list === undefined) this.byKey.set(b.routingKey, [b]);
    else list.push(b);
  }

  protected indexRemove(b: Binding): void {
    const list = this.byKey.get(b.routingKey);
    if (list === undefined) return;
    const i = list.indexOf(b);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(b.routingKey);
  }
}
