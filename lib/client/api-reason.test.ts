import { describe, expect, it } from 'vitest';
import { reasonText } from './api-reason';

describe('reasonText', () => {
  it("decodes the entities of RabbitMQ's escaped reasons into text, once", () => {
    const e = new Error('Validation failed\n\n&lt;&lt;"x"&gt;&gt; is not a valid maximum length\n');
    expect(reasonText(e)).toBe('Validation failed\n\n<<"x">> is not a valid maximum length');
    // an escaped ampersand is decoded once, not twice
    expect(reasonText(new Error('a &amp;lt; b'))).toBe('a &lt; b');
    expect(reasonText('plain')).toBe('plain');
  });
});
