// Where one queue's page lives: `/queues/{vhost}/{name}`, each a single percent-encoded path
// segment (the default vhost `/` is `%2F`), and how the page reads them back.

export const queuePageHref = (vhost: string, name: string) => `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`;
