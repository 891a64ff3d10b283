// The default exchange is `""` in listings and `amq.default` in URLs (and in permission checks of
// the management API's publish).
export const DEFAULT_EXCHANGE_ALIAS = 'amq.default';

export function exchangeName(urlName: string): string {
  return urlName === DEFAULT_EXCHANGE_ALIAS ? '' : urlName;
}

/** The default exchange and the `amq.*` ones: never exported, never declared by an import. */
export const isBuiltInExchange = (name: string): boolean => name === '' || name.startsWith('amq.');
