import { AmqpError, notFound, refuseDefaultExchange } from '../../core/errors';
import { checkBindingTopic } from '../../core/publishing';
import type { Queue } from '../../core/queue';
import type { Channel } from '../channel';
import type { AmqpMethod } from '../generated/protocol';
import { unimplemented } from '../unimplemented';

/** A queue name of "" means the channel's most recently declared queue, as in RabbitMQ. */
export function resolveQueueName(ch: Channel, name: string): string {
  if (name !== '') return name;
  if (ch.lastQueue === '') throw notFound('no previously declared queue');
  return ch.lastQueue;
}

/** Finds a queue this connection may use: 404 if missing, 405 if another connection owns it. */
export function usableQueue(ch: Channel, name: string): Queue {
  const q = ch.vhost.getQueue(resolveQueueName(ch, name));
  ch.vhost.checkOwner(q, ch.conn);
  return q;
}

/** queue.declare / bind / unbind / purge / delete */
export function handleQueue(ch: Channel, m: AmqpMethod): void {
  const vhost = ch.vhost;
  const conn = ch.conn;
  switch (m.name) {
    case 'queue.declare': {
      const a = m.args;
      const replyTo = conn.directReplyTo.declared(a.queue);
      if (replyTo !== undefined) {
        if (!replyTo) throw notFound(`no queue '${a.queue}' in vhost '${vhost.name}'`);
        ch.lastQueue = a.queue;
        conn.afterStored(ch, `queue '${a.queue}' in vhost '${vhost.name}'`, () => {
          if (!a.nowait) conn.sendMethod(ch.id, { name: 'queue.declare-ok', args: { queue: a.queue, messageCount: 0, consumerCount: 1 } });
        });
        return;
      }
      let queue: Queue;
      if (a.passive) {
        // RabbitMQ does not read "" as the last declared queue here: it looks for a queue named ""
        queue = vhost.getQueue(a.queue);
        vhost.checkOwner(queue, conn);
      } else {
        const opts = { durable: a.durable, exclusiveOwner: a.exclusive ? conn : null, autoDelete: a.autoDelete, arguments: a.arguments };
        const r = vhost.declareQueue(a.queue, opts, (name) => conn.checkPermission('configure', 'queue', name));
        queue = r.queue;
        if (r.created && a.exclusive) conn.exclusiveQueues.add(queue);
      }
      ch.lastQueue = queue.name;
      const declared = queue;
      conn.afterStored(ch, `queue '${queue.name}' in vhost '${vhost.name}'`, () => {
        if (a.nowait) return;
        conn.sendMethod(ch.id, {
          name: 'queue.declare-ok',
          args: { queue: declared.name, messageCount: declared.messageCount, consumerCount: declared.consumerCount },
        });
      });
      return;
    }
    case 'queue.bind':
    case 'queue.unbind': {
      const a = m.args;
      const qname = resolveQueueName(ch, a.queue);
      conn.checkPermission('write', 'queue', qname);
      // RabbitMQ's order (rabbit_channel:binding_action, rabbit_binding:add): the default exchange
      // before permissions on it and before anything is looked up; then the exchange, the queue,
      // the binding's arguments, and last the queue's exclusivity
      refuseDefaultExchange(a.exchange);
      conn.checkPermission('read', 'exchange', a.exchange);
      checkBindingTopic(vhost, conn.core.users, conn.user, a.exchange, a.routingKey);
      if (m.name === 'queue.bind') {
        const source = vhost.getExchange(a.exchange);
        const queue = vhost.getQueue(qname);
        vhost.bind(source, queue, a.routingKey, a.arguments, () => vhost.checkOwner(queue, conn));
        const nowait = m.args.nowait;
        conn.afterStored(ch, `binding of queue '${qname}' to exchange '${a.exchange}'`, () => {
          if (!nowait) conn.sendMethod(ch.id, { name: 'queue.bind-ok', args: {} });
        });
      } else {
        // unbinding something that does not exist, ends included, is not an error, even on another
        // connection's exclusive queue; an existing binding of one is 405, as RabbitMQ answers
        const queue = vhost.queues.get(qname);
        const source = vhost.exchanges.get(a.exchange);
        if (queue !== undefined && source !== undefined) vhost.unbind(source, queue, a.routingKey, a.arguments, () => vhost.checkOwner(queue, conn));
        conn.afterStored(ch, `unbinding of queue '${qname}' from exchange '${a.exchange}'`, () => conn.sendMethod(ch.id, { name: 'queue.unbind-ok', args: {} }));
      }
      return;
    }
    case 'queue.purge': {
      const a = m.args;
      const queue = usableQueue(ch, a.queue);
      conn.checkPermission('read', 'queue', queue.name);
      const n = vhost.purgeQueue(queue);
      // the REMOVED records of a durable queue's messages must be on disk before purge-ok, or a
      // restart brings back what the client was told is gone
      const stored = queue.persistence !== undefined;
      conn.afterStored(ch, `purge of queue '${queue.name}' in vhost '${vhost.name}'`, () => {
        if (!a.nowait) conn.sendMethod(ch.id, { name: 'queue.purge-ok', args: { messageCount: n } });
      }, stored);
      return;
    }
    case 'queue.delete': {
      const a = m.args;
      const qname = resolveQueueName(ch, a.queue);
      conn.checkPermission('configure', 'queue', qname);
      const queue = vhost.queues.get(qname);
      let n = 0;
      const sendCancels = ch.deletingQueue(() => {
        if (queue === undefined) return;
        vhost.checkOwner(queue, conn);
        n = vhost.deleteQueue(queue, a.ifUnused, a.ifEmpty);
        conn.exclusiveQueues.delete(queue);
      });
      // a durable queue whose deletion is not on disk would come back after a restart, messages and all
      conn.afterStored(ch, `deletion of queue '${qname}' in vhost '${vhost.name}'`, () => {
        if (!a.nowait) conn.sendMethod(ch.id, { name: 'queue.delete-ok', args: { messageCount: n } });
        sendCancels();
      });
      return;
    }
    default:
      throw unimplemented(m);
  }
}
