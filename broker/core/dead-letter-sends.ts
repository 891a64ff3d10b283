/** Dead letters sent in one turn of the event loop; the rest go in the next turns. */
const PER_TURN = 200;

/**
 * A vhost's dead letters waiting to be sent, in the order they were made. RabbitMQ's queues send
 * theirs asynchronously: a dead letter reaches its queues after the operation that made it is done
 * (a publish is in all its queues first), and a round of dead letters that its cycle check lets
 * through (one with a rejection in it) goes on for ever without holding anything else up. So here
 * they are sent once the publish that made them is done, one after another rather than nested (a
 * round grows no stack), and at most PER_TURN in a turn of the event loop: other clients get theirs.
 */
export class DeadLetterSends {
  private pending: ((() => void) | undefined)[] = [];
  private head = 0;
  private sending = false;
  private nextTurn: NodeJS.Immediate | undefined;

  add(send: () => void): void {
    this.pending.push(send);
  }

  /** Sends what waits; called while one is being sent, it leaves the rest to that loop. */
  flush(): void {
    if (this.sending || this.head === this.pending.length) return;
    this.sending = true;
    try {
      for (let sent = 0; this.head < this.pending.length; sent++) {
        if (sent === PER_TURN) {
          this.compact();
          this.nextTurn ??= setImmediate(() => {
            this.nextTurn = undefined;
            this.flush();
          }).unref();
          return;
        }
        const send = this.pending[this.head] as () => void;
        this.pending[this.head++] = undefined;
        send();
      }
      this.pending = [];
      this.head = 0;
    } finally {
      this.sending = false;
    }
  }

  /** A round that goes on for ever must not keep the slots it has sent. */
  private compact(): void {
    this.pending = this.pending.slice(this.head);
    this.head = 0;
  }
}
