// The URL an AMQP client would connect with, as the console can tell it: the broker's listener,
// the page's host when the broker listens on every interface, guest:guest only where guest may
// log in (loopback), and the vhost as the path ("/" is the default and needs none).
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);

export function amqpUrl(ip: string | undefined, port: number, vhost = '/', pageHost?: string): string {
  let host = ip && !WILDCARD.has(ip) ? ip : (pageHost ?? (typeof location === 'undefined' ? 'localhost' : location.hostname));
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  const loopback = host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  const path = vhost === '/' ? '' : `/${encodeURIComponent(vhost)}`;
  return `amqp://${loopback ? 'guest:guest@' : ''}${host}:${port}${path}`;
}
