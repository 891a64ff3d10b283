import { AmqpError, notFound, refuseDefaultExchange } from '../../core/errors';
import { checkBindingTopic } from '../../core/publishing';
import type { Channel } from '../channel';
import type { AmqpMethod } from '../generated/protocol';
import { unimplemented } from '../unimplemented';

/** exchange.declare / delete / bind / unbind */
export function handleExchange(ch: Channel, m: AmqpMethod): void {
  const vhost = ch.vhost;
  const conn = ch.conn;
  switch (m.name) {
    case 'exchange.declare': {
      const a = m.args;
      // RabbitMQ refuses "" even passively (403), and before permissions: a user who may configure
      // nothing still hears that it is the default exchange. A passive declare checks no type.
      vhost.checkExchangeDeclare(a.exchange, a.passive ? undefined : a.type);
      if (a.passive) {
        if (!vhost.exchanges.has(a.exchange)) throw notFound(`no exchange '${a.exchange}' in vhost '${vhost.name}'`);
      } else {
        conn.checkPermission('configure', 'exchange', a.exchange);
        const ae = a.arguments['alternate-exchange'];
        if (typeof ae === 'string') {
          conn.checkPermission('read', 'exchange', a.exchange);
          conn.checkPermission('write', 'exchange', ae);
        }
        vhost.declareExchange(a.exchange, a.type, {
          durable: a.durable, autoDelete: a.autoDelete, internal: a.internal, arguments: a.arguments,
        });
      }
      conn.afterStored(ch, `exchange '${a.exchange}' in vhost '${vhost.name}'`, () => {
        if (!a.nowait) conn.sendMethod(ch.id, { name: 'exchange.declare-ok', args: {} });
      });
      return;
    }
    case 'exchange.delete': {
      const a = m.args;
      conn.checkPermission('configure', 'exchange', a.exchange);
      vhost.deleteExchange(a.exchange, a.ifUnused);
      conn.afterStored(ch, `deletion of exchange '${a.exchange}'`, () => {
        if (!a.nowait) conn.sendMethod(ch.id, { name: 'exchange.delete-ok', args: {} });
      });
      return;
    }
    case 'exchange.bind':
    case 'exchange.unbind': {
      const a = m.args;
      conn.checkPermission('write', 'exchange', a.destination);
      // as queue.bind: the default exchange at either end is refused before anything is looked up
      refuseDefaultExchange(a.destination);
      refuseDefaultExchange(a.source);
      conn.checkPermission('read', 'exchange', a.source);
      checkBindingTopic(vhost, conn.core.users, conn.user, a.source, a.routingKey);
      if (m.name === 'exchange.bind') {
        vhost.bind(vhost.getExchange(a.source), vhost.getExchange(a.destination), a.routingKey, a.arguments);
        conn.afterStored(ch, `binding of exchange '${a.destination}' to exchange '${a.source}'`, () => {
          if (!a.nowait) conn.sendMethod(ch.id, { name: 'exchange.bind-ok', args: {} });
        });
      } else {
        // unbinding something that does not exist, ends included, is not an error
        const source = vhost.exchanges.get(a.source);
        const destination = vhost.exchanges.get(a.destination);
        if (source !== undefined && destination !== undefined) vhost.unbind(source, destination, a.routingKey, a.arguments);
        conn.afterStored(ch, `unbinding of exchange '${a.destination}' from exchange '${a.source}'`, () => {
          if (!a.nowait) conn.sendMethod(ch.id, { name: 'exchange.unbind-ok', args: {} });
        });
      }
      return;
    }
    default:
      throw unimplemented(m);
  }
}
