// The row mapping of queue placement: a leader is the queue's node, and a stats read that shows a
// member gone (or a new leader) makes an update of the known row, while an unchanged one makes none.
import { describe, expect, it } from 'vitest';
import { movedQueues, queueRow } from './rows';

const C = ['warren-c1@localhost', 'warren-c2@localhost', 'warren-c3@localhost'];

describe('queue rows', () => {
  it('names a quorum queue\'s leader as its node, and counts no consumer before stats come', () => {
    expect(queueRow({ name: 'q', leader: C[1], members: C, online: C })).toMatchObject({ node: C[1], consumers: 0 });
    expect(queueRow({ name: 'c', node: C[2], consumers: 2 })).toEqual({ name: 'c', node: C[2], consumers: 2 });
  });

  it('finds the queues whose members went offline or whose leader moved, merged into what was known', () => {
    const known = new Map([
      ['qq', queueRow({ name: 'qq', type: 'quorum', leader: C[2], members: C, online: C, state: 'running', arguments: { 'x-queue-type': 'quorum' } })],
      ['cq', queueRow({ name: 'cq', type: 'classic', node: C[0], state: 'running' })],
    ]);
    expect(movedQueues((n) => known.get(n), [{ name: 'qq', leader: C[2], members: C, online: C, state: 'running' }, { name: 'cq', node: C[0], state: 'running' }])).toEqual([]);
    const moved = movedQueues((n) => known.get(n), [
      { name: 'qq', leader: C[0], members: C, online: C.slice(0, 2), state: 'running', messages_ready: 4 },
      { name: 'cq', node: C[0], state: 'running' },
      { name: 'unknown-yet', node: C[0], state: 'running' },
    ]);
    expect(moved).toEqual([
      { name: 'qq', type: 'quorum', leader: C[0], node: C[0], members: C, online: C.slice(0, 2), state: 'running', arguments: { 'x-queue-type': 'quorum' }, consumers: 0 },
    ]);
    // a classic queue whose node is down
    expect(movedQueues((n) => known.get(n), [{ name: 'cq', node: C[0], state: 'down' }])).toMatchObject([{ name: 'cq', state: 'down', type: 'classic' }]);
  });
});
