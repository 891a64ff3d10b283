import { describe, expect, it } from 'vitest';
import { onlineCount, queuePlacement, shortNode } from './queue-placement';

const C = ['warren-c1@localhost', 'warren-c2@localhost', 'warren-c3@localhost'];

describe('queue placement', () => {
  it('reads leader, members and the members down from a quorum queue', () => {
    const p = queuePlacement({ leader: C[0], node: C[0], members: C, online: [C[0], C[1]], state: 'running' })!;
    expect(p).toEqual({ leader: C[0], members: C, down: [C[2]], unreachable: false });
    expect(onlineCount(p)).toBe('2/3');
  });

  it('reads a classic queue\'s node, down when its state says so; nothing when the broker named no node', () => {
    expect(queuePlacement({ node: 'warren@box', state: 'running' })).toEqual({ leader: 'warren@box', members: null, down: [], unreachable: false });
    expect(onlineCount(queuePlacement({ node: 'warren@box' })!)).toBeNull();
    expect(queuePlacement({ node: C[2], state: 'down' })!.unreachable).toBe(true);
    expect(queuePlacement({})).toBeNull();
    // members without an online list: no member is called down on a guess
    expect(queuePlacement({ leader: C[0], members: C })!.down).toEqual([]);
  });

  it('shortens node names to the part that tells them apart', () => {
    expect(shortNode('warren-c1@localhost')).toBe('warren-c1');
    expect(shortNode('rabbit@node-2.example.com')).toBe('node-2');
    expect(shortNode('plain')).toBe('plain');
  });
});
