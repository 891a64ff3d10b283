import type { ChannelConsumer } from './channel-consumer';

/**
 * Consumers that a channel refused for credit it lacked (its global prefetch, or room in the
 * socket), oldest first, each at most once (`ChannelConsumer.waiting`). When that credit returns,
 * `resume` gives them their turns only while there is credit, so returning one credit costs one
 * consumer's turn however many wait, not a visit to every consumer of the channel.
 */
export class WaitingConsumers {
  private readonly list: ChannelConsumer[] = [];
  private head = 0;

  /** Returns false, for hasCredit to return. */
  add(c: ChannelConsumer): false {
    if (!c.waiting) {
      c.waiting = true;
      this.list.push(c);
    }
    return false;
  }

  /**
   * Dispatches the queues of the consumers waiting now, oldest first, while `credit()` holds. One
   * refused again (for this reason or another) has been added again behind them.
   */
  resume(credit: () => boolean): void {
    const list = this.list;
    let head = this.head;
    for (let turns = list.length - head; turns > 0 && credit(); turns--) {
      const c = list[head++];
      c.waiting = false;
      // RabbitMQ's queue runs again only when a consumer of the channel came back (possibly_unblock)
      if (c.queue.unblock(c.channel.unblockable)) c.queue.dispatch();
    }
    if (head === list.length) {
      list.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > list.length) {
      list.copyWithin(0, head);
      list.length -= head;
      head = 0;
    }
    this.head = head;
  }
}
