import type { BasicProperties, PropertiesCodec } from './properties';

/**
 * What a run of messages shares: the exchange, routing key and properties they were published with.
 * A backlog is mostly one publisher's messages to one key with the same properties (the channel
 * already shares the property bytes of repeated publishes), so those three cost each queued message
 * one field instead of three, and properties parsed for one of them are parsed for all.
 */
export class MessageHead {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly rawProperties: Buffer,
    /**
     * The parsed properties, or until they are first read the codec that parses them. Shared by
     * every message of the run: parsed properties are never changed in place (changes are made
     * on a copy and encoded anew).
     */
    public props: BasicProperties | PropertiesCodec,
  ) {}
}

/**
 * The head of the last message made, given again while exchange, routing key and property bytes
 * stay the same (the bytes compared by identity: the channel and the log's replay hand out one
 * Buffer for a run). One per publisher, so that interleaved publishers keep their own runs.
 */
export class HeadRun {
  private last: MessageHead | undefined;

  share(exchange: string, routingKey: string, rawProperties: Buffer, properties: BasicProperties | PropertiesCodec): MessageHead {
    const last = this.last;
    if (last !== undefined && last.rawProperties === rawProperties && last.routingKey === routingKey && last.exchange === exchange) return last;
    return (this.last = new MessageHead(exchange, routingKey, rawProperties, properties));
  }
}

/** For messages made without a publisher's own run at hand: recovery's replay, dead-lettering, the API. */
export const SHARED_RUN = new HeadRun();
