// `--rabbitmq NAME=https://user:pass@host:15672[,amqps://host:5671]`: one remote cluster the console
// can switch to. The management URL's user is the configured account (see remote-broker.ts); the
// AMQP URL's credentials, if any, are ignored: consumers connect as the console user.

export interface RemoteBrokerConfig {
  /** how the console and the `?broker=` selector name it */
  name: string;
  /** `http(s)://host:port` without credentials, path or query */
  managementUrl: string;
  /** `amqp(s)://host:port[/]` without credentials; consuming and live events need it */
  amqpUrl?: string;
  credentials: { username: string; password: string };
  /** PEM CA for both URLs when they are https/amqps */
  caFile?: string;
}

export const BROKER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class BrokerSpecError extends Error {}

function strip(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** Parses one `--rabbitmq` value. The message of a BrokerSpecError never repeats the password. */
export function parseBrokerSpec(raw: string, caFile?: string): RemoteBrokerConfig {
  const eq = raw.indexOf('=');
  if (eq < 0) throw new BrokerSpecError(`--rabbitmq wants NAME=http(s)://user:pass@host:15672[,amqp(s)://host:5672]`);
  const name = raw.slice(0, eq).trim();
  if (!BROKER_NAME.test(name)) throw new BrokerSpecError(`--rabbitmq: '${name}' is not a broker name (letters, digits, . _ -; up to 64)`);
  const [mgmtRaw, amqpRaw, ...rest] = raw.slice(eq + 1).split(',');
  if (rest.length > 0) throw new BrokerSpecError(`--rabbitmq ${name}: at most two URLs (management, AMQP)`);
  let mgmt: URL;
  try {
    mgmt = new URL(mgmtRaw.trim());
  } catch {
    throw new BrokerSpecError(`--rabbitmq ${name}: the management URL is not a URL`);
  }
  if (mgmt.protocol !== 'http:' && mgmt.protocol !== 'https:') throw new BrokerSpecError(`--rabbitmq ${name}: the management URL must be http:// or https://`);
  if (mgmt.username === '') throw new BrokerSpecError(`--rabbitmq ${name}: the management URL needs a user (http://user:pass@host:15672)`);
  let amqpUrl: string | undefined;
  if (amqpRaw !== undefined && amqpRaw.trim() !== '') {
    let amqp: URL;
    try {
      amqp = new URL(amqpRaw.trim());
    } catch {
      throw new BrokerSpecError(`--rabbitmq ${name}: the AMQP URL is not a URL`);
    }
    if (amqp.protocol !== 'amqp:' && amqp.protocol !== 'amqps:') throw new BrokerSpecError(`--rabbitmq ${name}: the AMQP URL must be amqp:// or amqps://`);
    amqpUrl = strip(amqp);
  }
  return {
    name,
    managementUrl: strip(mgmt),
    ...(amqpUrl !== undefined ? { amqpUrl } : {}),
    credentials: { username: decodeURIComponent(mgmt.username), password: decodeURIComponent(mgmt.password) },
    ...(caFile !== undefined ? { caFile } : {}),
  };
}
