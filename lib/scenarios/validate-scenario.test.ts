import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from './builtin-scenarios';
import { validateScenario } from './validate-scenario';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('validateScenario', () => {
  it('accepts every built-in scenario', () => {
    for (const s of BUILTIN_SCENARIOS) expect(validateScenario(clone(s))).toEqual({ ok: true, scenario: s });
  });

  it('names the path of each bad field', () => {
    const s = clone(BUILTIN_SCENARIOS[1]) as unknown as Record<string, any>;
    s.id = 'Work Queues';
    s.actors[1].prefetch = -1;
    s.actors[0].rate = 'fast';
    s.actors[2].ack = 'maybe';
    s.topology.exchanges.push({ name: 'amq.mine', type: 'direct', durable: false });
    s.steps[0].start.push('nobody');
    s.steps[1].checkpoints[0] = { label: 'x', type: 'queue', queue: 'task_queue', field: 'consumers' };
    s.steps[1].checkpoints[1].type = 'vibes';
    const v = validateScenario(s);
    expect(v.ok).toBe(false);
    expect(v.ok ? [] : v.errors).toEqual([
      '$.id: lower-case letters, digits and single dashes only',
      '$.topology.exchanges[0].name: must be non-empty and not start with "amq."',
      '$.actors[0].rate: must be a number',
      '$.actors[1].prefetch: must be between 0 and 1000',
      '$.actors[2].ack: must be one of auto, ack, nack-requeue, nack-drop, reject-requeue, reject-drop',
      '$.steps[0].start[3]: must name an actor',
      '$.steps[1].checkpoints[0]: needs atLeast, atMost or equals',
      '$.steps[1].checkpoints[1].type: must be one of queue, bindings, delivered, redelivered, ratio, queue-exists, received, returned, refused, dead-lettered',
    ]);
  });

  it('refuses what is not a scenario, and bounds what a loaded file may ask for', () => {
    expect(validateScenario(null)).toEqual({ ok: false, errors: ['$: must be an object'] });
    expect(validateScenario([])).toEqual({ ok: false, errors: ['$: must be an object'] });
    const s = clone(BUILTIN_SCENARIOS[0]) as unknown as Record<string, any>;
    s.format = 'something/2';
    s.actors[0].rate = 1e9;
    s.actors.push(...Array.from({ length: 30 }, (_, i) => ({ ...s.actors[1], name: `r${i}` })));
    s.steps = [];
    const v = validateScenario(s);
    expect(v.ok ? [] : v.errors).toEqual([
      '$.format: must be "warren-scenario/1"',
      '$.actors: at most 20 entries',
      '$.steps: needs at least one step',
    ]);
  });

  it('refuses duplicate actor names and bindings on a named queue', () => {
    const s = clone(BUILTIN_SCENARIOS[2]) as unknown as Record<string, any>;
    s.actors[1].name = s.actors[0].name;
    s.actors[0].queue = 'logs-queue';
    const v = validateScenario(s);
    expect(v.ok ? [] : v.errors).toEqual([
      '$.actors[0].bind: only a consumer of its own queue (queue "") binds it',
      '$.actors[1].name: "receive_logs-1" is already an actor\'s name',
      '$.steps[0].start[1]: must name an actor',
      '$.steps[1].checkpoints[1].actor: must name an actor',
      '$.steps[2].stop[0]: must name an actor',
    ]);
  });

  it('checks faults, users and the actors that log in as them', () => {
    const s = clone(BUILTIN_SCENARIOS.find((b) => b.id === 'dead-letters')!) as unknown as Record<string, any>;
    s.faults[0].kind = 'explode';
    s.faults[2].actor = 'nobody';
    s.steps[0].faults = ['poison', 'missing'];
    s.topology.users = [{ name: 'Bad Name', password: '', configure: '(', write: '.*', read: '.*' }];
    s.actors[0].user = 'carol';
    const v = validateScenario(s);
    expect(v.ok ? [] : v.errors).toEqual([
      '$.topology.users[0].name: lower-case letters, digits and single dashes only',
      '$.topology.users[0].password: must be non-empty',
      '$.topology.users[0].configure: must be a regular expression',
      '$.actors[0].user: must name a user of topology.users',
      '$.faults[0].kind: must be one of kill, publish, restart-broker',
      '$.faults[2].actor: must name an actor',
      '$.steps[0].faults[1]: must name a fault of $.faults',
    ]);
  });
});
