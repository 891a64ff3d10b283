// The row mapping of a remote queue: a quorum queue's leader is its node, and a queue no stats have
// reached yet has no consumer the cluster knows of.
import { describe, expect, it } from 'vitest';
import { queueRow } from './rows';

const C = ['warren-c1@localhost', 'warren-c2@localhost', 'warren-c3@localhost'];

describe('queue rows', () => {
  it('names a quorum queue\'s leader as its node, and counts no consumer before stats come', () => {
    expect(queueRow({ name: 'q', leader: C[1], members: C, online: C })).toEqual({ name: 'q', leader: C[1], node: C[1], members: C, online: C, consumers: 0 });
    expect(queueRow({ name: 'c', node: C[2], consumers: 2 })).toEqual({ name: 'c', node: C[2], consumers: 2 });
  });
});
