import { describe, expect, it } from 'vitest';
import { decodeTable, encodeTable } from '../amqp/field-table';
import { AMQP_PROPERTIES } from '../amqp/properties-codec';
import { deadLetterMessage, diedThereAutomatically } from './dead-letter';
import { fieldType, setFieldType, type FieldTable } from './field-values';
import { Message } from './message';
import type { Queue } from './queue';

const codec = AMQP_PROPERTIES;

/** What a client would receive: the properties as they go on the wire, decoded again. */
const received = (m: Message) => codec.decode(m.rawProperties);

describe('dead-lettering keeps wire types', () => {
  it('x-death count is a long and time a timestamp, also after a second death; client headers keep theirs', () => {
    const client: FieldTable = { b: 1.5, a: 7 };
    setFieldType(client, 'b', 'float');
    setFieldType(client, 'a', 'int16');
    const [headers] = decodeTable(encodeTable(client), 0); // as the broker reads it off the wire
    const props = { headers, expiration: '100' };
    const original = new Message('ex', 'rk', codec.encode(props), Buffer.from('x'), props);
    const queue = { name: 'q', deadLetterRoutingKey: undefined } as unknown as Queue;

    const once = received(deadLetterMessage(queue, original, 'expired', 'dlx', codec));
    const twice = received(deadLetterMessage(queue, new Message('dlx', 'rk', codec.encode(once), Buffer.from('x'), codec), 'expired', 'dlx', codec));

    for (const p of [once, twice]) {
      const h = p.headers!;
      expect([fieldType(h, 'a'), fieldType(h, 'b')]).toEqual(['int16', 'float']);
      const [death] = h['x-death'] as FieldTable[];
      expect([fieldType(death, 'count'), fieldType(death, 'time')]).toEqual(['int64', 'timestamp']);
      expect(Object.keys(h)).toEqual([...Object.keys(h)].sort());
    }
    expect(((twice.headers!['x-death'] as FieldTable[])[0]).count).toBe(2);
    expect(twice.expiration).toBeUndefined();
  });
});

describe('diedThereAutomatically (RabbitMQ: rabbit_dead_letter:is_cycle)', () => {
  const death = (queue: string, reason: string) => ({ queue, reason, count: 1 });
  it('is a cycle when the message died in that queue before with no rejection since, that death included', () => {
    expect(diedThereAutomatically('q', [death('q', 'maxlen')])).toBe(true);
    expect(diedThereAutomatically('a', [death('b', 'expired'), death('a', 'expired')])).toBe(true);
    expect(diedThereAutomatically('a', [death('b', 'expired'), death('a', 'rejected')])).toBe(false);
    expect(diedThereAutomatically('a', [death('b', 'rejected'), death('a', 'expired')])).toBe(false);
    expect(diedThereAutomatically('c', [death('b', 'expired'), death('a', 'expired')])).toBe(false);
  });
  it('is no cycle when something a client put there comes first, or there is no x-death array', () => {
    expect(diedThereAutomatically('a', [death('b', 'expired'), 'junk', death('a', 'expired')])).toBe(false);
    expect(diedThereAutomatically('a', [death('a', 'expired'), 'junk'])).toBe(true);
    expect(diedThereAutomatically('a', undefined)).toBe(false);
    expect(diedThereAutomatically('a', 'x')).toBe(false);
  });
});
