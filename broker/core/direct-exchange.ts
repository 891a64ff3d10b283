import type { Binding, Destination } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';

export class DirectExchange extends Exchange {
  readonly type = 'direct' as const;
  private readonly byKey = new Map<string, Destination[]>();

  route(msg: Message, out: Set<Destination>): void {
    const dests = this.byKey.get(msg.routingKey);
    if (dests !== undefined) for (let i = 0; i < dests.length; i++) out.add(dests[i]);
  }

  protected indexAdd(b: Binding): void {
    const list = this.byKey.get(b.routingKey);
    if (list === undefined) this.byKey.set(b.routingKey, [b.destination]);
    else list.push(b.destination);
  }

  protected indexRemove(b: Binding): void {
    const list = this.byKey.get(b.routingKey);
    if (list === undefined) return;
    const i = list.indexOf(b.destination);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(b.routingKey);
  }
}
