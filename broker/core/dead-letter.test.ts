import { describe, expect, it } from 'vitest';
import { decodeTable, encodeTable, fieldType, setFieldType, type FieldTable } from '../amqp/field-table';
import { decodeProperties, encodeProperties } from '../amqp/generated/protocol';
import { deadLetterMessage } from './dead-letter';
import { Message } from './message';
import type { Queue } from './queue';

/** What a client would receive: the properties as they go on the wire, decoded again. */
const received = (m: Message) => decodeProperties(m.rawProperties, 0, m.rawProperties.length);

describe('dead-lettering keeps wire types', () => {
  it('x-death count is a long and time a timestamp, also after a second death; client headers keep theirs', () => {
    const client: FieldTable = { b: 1.5, a: 7 };
    setFieldType(client, 'b', 'float');
    setFieldType(client, 'a', 'int16');
    const [headers] = decodeTable(encodeTable(client), 0); // as the broker reads it off the wire
    const props = { headers, expiration: '100' };
    const original = new Message('ex', 'rk', encodeProperties(props), Buffer.from('x'), props);
    const queue = { name: 'q', deadLetterRoutingKey: undefined } as unknown as Queue;

    const once = received(deadLetterMessage(queue, original, 'expired', 'dlx'));
    const twice = received(deadLetterMessage(queue, new Message('dlx', 'rk', encodeProperties(once), Buffer.from('x'), once), 'expired', 'dlx'));

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
