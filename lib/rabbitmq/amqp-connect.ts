// AMQP connections to a remote cluster: the configured URL with the caller's credentials and vhost,
// the CA for amqps, a connection name the cluster's connection list shows, and a time limit.
import fs from 'node:fs';
import amqp, { type ChannelModel } from 'amqplib';
import { BrokerError } from '../../broker/index';
import type { Credentials } from './management-client';

const CONNECT_TIMEOUT_MS = 10_000;

export async function connectAmqp(url: string, credentials: Credentials, vhost: string, connectionName: string, caFile?: string): Promise<ChannelModel> {
  const u = new URL(url);
  u.username = encodeURIComponent(credentials.username);
  u.password = encodeURIComponent(credentials.password);
  u.pathname = `/${encodeURIComponent(vhost)}`;
  try {
    return await amqp.connect(u.toString(), {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: connectionName, product: 'Warren console' },
      ...(caFile !== undefined && u.protocol === 'amqps:' ? { ca: [fs.readFileSync(caFile)] } : {}),
    });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // amqplib reports the broker's close as text: `Handshake terminated by server: 403 (ACCESS-REFUSED) with message "..."`
    if (/\b403\b|ACCESS.REFUSED/i.test(text)) throw new BrokerError('not_authorised', text);
    if (/\b530\b|NOT.ALLOWED/i.test(text)) throw BrokerError.amqp(530, text);
    throw new BrokerError('unavailable', `AMQP ${u.host}: ${text}`);
  }
}
