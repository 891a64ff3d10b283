<?php
// The RabbitMQ features php-amqplib users lean on, one check each: confirms with ack handlers,
// return listeners, basic_get, nack/reject, dead-lettering and TTL, the errors the library turns
// into exceptions (404, 405, 406, 403, failed login), headers exchanges, consumer cancel
// notifications, transactions and large messages. Prints {"check": name, "ok": true, ...} per
// check and {"done": "all"} at the end. CHECKS=a,b runs only those checks.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Channel\AMQPChannel;
use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Exception\AMQPBasicCancelException;
use PhpAmqpLib\Exception\AMQPProtocolException;
use PhpAmqpLib\Exception\AMQPTimeoutException;
use PhpAmqpLib\Message\AMQPMessage;
use PhpAmqpLib\Wire\AMQPTable;

const P = 'php.f.';

function check(string $name, callable $fn): void
{
    $only = array_filter(explode(',', (string) getenv('CHECKS')));
    if ($only && !in_array($name, $only, true)) {
        return;
    }
    try {
        emit(['check' => $name, 'ok' => true] + ($fn() ?? []));
    } catch (\Throwable $e) {
        emit(['check' => $name, 'ok' => false, 'error' => get_class($e) . ': ' . $e->getMessage()]);
    }
}

function close_info(AMQPProtocolException $e): array
{
    return [
        'error_class' => (new \ReflectionClass($e))->getShortName(),
        'reply_code' => $e->amqp_reply_code,
        'reply_text' => $e->amqp_reply_text,
        'method' => $e->amqp_method_sig,
    ];
}

/** The server's refusal of what $op does, as close_info; ['raised' => false] if it went through */
function refusal(callable $op): array
{
    try {
        $op();
        return ['raised' => false];
    } catch (AMQPProtocolException $e) {
        return close_info($e);
    }
}

function cleanup(AMQPStreamConnection $conn, array $queues = [], array $exchanges = []): void
{
    $ch = $conn->channel();
    foreach ($queues as $q) {
        $ch->queue_delete(P . $q);
    }
    foreach ($exchanges as $x) {
        $ch->exchange_delete(P . $x);
    }
    $ch->close();
}

/** A channel in confirm mode, once whatever an earlier run left of these queues and exchanges is gone */
function confirm_channel(AMQPStreamConnection $conn, array $queues = [], array $exchanges = []): AMQPChannel
{
    cleanup($conn, $queues, $exchanges);
    $ch = $conn->channel();
    $ch->confirm_select();
    return $ch;
}

/** A channel in confirm mode and a fresh queue P . $name declared on it */
function confirmed_queue(AMQPStreamConnection $conn, string $name): AMQPChannel
{
    $ch = confirm_channel($conn, [$name]);
    $ch->queue_declare(P . $name, false, false, false, false);
    return $ch;
}

/** basic_get until the queue is empty */
function drain($ch, string $queue): array
{
    $out = [];
    while (($m = $ch->basic_get($queue, true)) !== null) {
        $out[] = $m->getBody();
    }
    return $out;
}

$conn = amqp_connect();

check('negotiated', function () use ($conn) {
    $props = $conn->getServerProperties();
    $caps = $props['capabilities'][1] ?? [];
    $on = [];
    foreach (['publisher_confirms', 'exchange_exchange_bindings', 'basic.nack', 'consumer_cancel_notify',
        'connection.blocked', 'authentication_failure_close', 'per_consumer_qos', 'direct_reply_to'] as $k) {
        if (($caps[$k][0] ?? null) === 't' && (bool) ($caps[$k][1] ?? false)) {
            $on[] = $k;
        }
    }
    return ['capabilities' => $on, 'heartbeat' => $conn->getHeartbeat()];
});

check('plain_login', function () {
    $c = amqp_connect(0, null, 'PLAIN');
    $ok = $c->isConnected();
    $c->close();
    return ['connected' => $ok];
});

check('durable_persistent', function () use ($conn) {
    $ch = confirm_channel($conn, ['durable']);
    [$name, $count, $consumers] = $ch->queue_declare(P . 'durable', false, true, false, false);
    $msg = new AMQPMessage('keep me', [
        'delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT,
        'content_type' => 'application/json',
        'message_id' => 'm-1',
        'timestamp' => 1700000000,
        'application_headers' => new AMQPTable(['attempt' => 1, 'origin' => 'php', 'ratio' => 0.5, 'flag' => true]),
    ]);
    $ch->basic_publish($msg, '', P . 'durable');
    $ch->wait_for_pending_acks(5);
    $other = amqp_connect();
    $och = $other->channel();
    [, $depth] = $och->queue_declare(P . 'durable', false, true, false, false);
    $got = $och->basic_get(P . 'durable', true);
    $headers = $got->get('application_headers')->getNativeData();
    $och->queue_delete(P . 'durable');
    $other->close();
    $ch->close();
    return [
        'declared' => [$name, $count, $consumers], 'depth' => $depth, 'body' => $got->getBody(),
        'delivery_mode' => $got->get('delivery_mode'), 'content_type' => $got->get('content_type'),
        'message_id' => $got->get('message_id'), 'timestamp' => $got->get('timestamp'), 'headers' => $headers,
    ];
});

check('redeclare_mismatch', function () use ($conn) {
    cleanup($conn, ['mismatch']);
    $ch = $conn->channel();
    $ch->queue_declare(P . 'mismatch', false, true, false, false);
    $result = refusal(fn () => $ch->queue_declare(P . 'mismatch', false, false, false, false))
        + ['channel_open' => $ch->is_open(), 'connection_open' => $conn->isConnected()];
    cleanup($conn, ['mismatch']);
    return $result;
});

check('confirms', function () use ($conn) {
    cleanup($conn, ['confirms']);
    $ch = $conn->channel();
    $acked = [];
    $nacked = 0;
    $ch->set_ack_handler(function (AMQPMessage $m) use (&$acked) {
        $acked[] = $m->getBody();
    });
    $ch->set_nack_handler(function (AMQPMessage $m) use (&$nacked) {
        $nacked++;
    });
    $ch->confirm_select();
    $ch->queue_declare(P . 'confirms', false, false, false, false);
    for ($i = 0; $i < 20; $i++) {
        $ch->basic_publish(new AMQPMessage("confirm $i"), '', P . 'confirms');
    }
    $ch->wait_for_pending_acks(5);
    // batch publishing is confirmed the same way
    for ($i = 0; $i < 5; $i++) {
        $ch->batch_basic_publish(new AMQPMessage("batch $i"), '', P . 'confirms');
    }
    $ch->publish_batch();
    $ch->wait_for_pending_acks(5);
    [, $depth] = $ch->queue_declare(P . 'confirms', true);
    $ch->queue_delete(P . 'confirms');
    $ch->close();
    return ['acked' => count($acked), 'in_order' => $acked === array_merge(
        array_map(fn ($i) => "confirm $i", range(0, 19)), array_map(fn ($i) => "batch $i", range(0, 4))
    ), 'nacked' => $nacked, 'depth' => $depth];
});

check('mandatory_return', function () use ($conn) {
    cleanup($conn, [], ['unbound']);
    $ch = $conn->channel();
    $events = [];
    $ch->set_return_listener(function ($code, $text, $exchange, $key, AMQPMessage $m) use (&$events) {
        $events[] = ['return', $code, $text, $exchange, $key, $m->getBody(), $m->get('correlation_id')];
    });
    $ch->set_ack_handler(function (AMQPMessage $m) use (&$events) {
        $events[] = ['ack', $m->getBody()];
    });
    $ch->confirm_select();
    $ch->exchange_declare(P . 'unbound', 'direct', false, false, false);
    $ch->basic_publish(new AMQPMessage('nowhere to go', ['correlation_id' => 'c-1']), P . 'unbound', 'nobody', true);
    $ch->wait_for_pending_acks_returns(5);
    // without confirms, a return arrives while the channel waits for anything
    $plain = $conn->channel();
    $returned = null;
    $plain->set_return_listener(function ($code, $text, $exchange, $key) use (&$returned) {
        $returned = [$code, $text, $exchange, $key];
    });
    $plain->basic_publish(new AMQPMessage('also lost'), '', P . 'no-such-queue', true);
    try {
        $plain->wait(null, false, 2);
    } catch (AMQPTimeoutException $e) {
    }
    $plain->close();
    $ch->exchange_delete(P . 'unbound');
    $ch->close();
    return ['events' => $events, 'default_exchange_return' => $returned];
});

check('basic_get', function () use ($conn) {
    $ch = confirmed_queue($conn, 'get');
    $empty = $ch->basic_get(P . 'get');
    $ch->basic_publish(new AMQPMessage('first', ['type' => 'greeting', 'priority' => 3]), '', P . 'get');
    $ch->basic_publish(new AMQPMessage('second'), '', P . 'get');
    $ch->wait_for_pending_acks(5);
    $m = $ch->basic_get(P . 'get');
    $first = ['body' => $m->getBody(), 'message_count' => $m->getMessageCount(), 'redelivered' => $m->isRedelivered(),
        'routing_key' => $m->getRoutingKey(), 'exchange' => $m->getExchange(), 'type' => $m->get('type'),
        'priority' => $m->get('priority'), 'delivery_tag' => $m->getDeliveryTag()];
    $m->ack();
    $m2 = $ch->basic_get(P . 'get', true);
    $second = ['body' => $m2->getBody(), 'message_count' => $m2->getMessageCount(), 'delivery_tag' => $m2->getDeliveryTag()];
    $purged = $ch->queue_purge(P . 'get');
    $ch->queue_delete(P . 'get');
    $ch->close();
    return ['empty' => $empty === null, 'first' => $first, 'second' => $second, 'purged' => $purged];
});

check('nack_reject', function () use ($conn) {
    $ch = confirmed_queue($conn, 'requeue');
    $ch->basic_publish(new AMQPMessage('bounce'), '', P . 'requeue');
    $ch->wait_for_pending_acks(5);
    $seen = [];
    $m = $ch->basic_get(P . 'requeue');
    $seen[] = [$m->getBody(), $m->isRedelivered()];
    $m->reject(true);
    $m = $ch->basic_get(P . 'requeue');
    $seen[] = [$m->getBody(), $m->isRedelivered()];
    $m->nack(true);
    $m = $ch->basic_get(P . 'requeue');
    $seen[] = [$m->getBody(), $m->isRedelivered()];
    $m->nack(false);
    [, $afterDrop] = $ch->queue_declare(P . 'requeue', true);
    $ch->basic_publish(new AMQPMessage('again'), '', P . 'requeue');
    $ch->wait_for_pending_acks(5);
    $ch->basic_get(P . 'requeue')->reject(false);
    [, $afterReject] = $ch->queue_declare(P . 'requeue', true);
    for ($i = 0; $i < 3; $i++) {
        $ch->basic_publish(new AMQPMessage("batch $i"), '', P . 'requeue');
    }
    $ch->wait_for_pending_acks(5);
    $last = null;
    for ($i = 0; $i < 3; $i++) {
        $last = $ch->basic_get(P . 'requeue');
    }
    $last->nack(true, true);
    // RabbitMQ requeues asynchronously: the depth catches up a moment after the nack
    $deadline = microtime(true) + 2;
    do {
        [, $afterMultiple] = $ch->queue_declare(P . 'requeue', true);
    } while ($afterMultiple < 3 && microtime(true) < $deadline && usleep(20000) === null);
    // a consumer that nacks with requeue sees the message again, flagged redelivered
    $consumed = [];
    $ch->basic_qos(null, 1, null);
    $ch->basic_consume(P . 'requeue', 'nacker', false, false, false, false, function (AMQPMessage $m) use (&$consumed) {
        $consumed[] = [$m->getBody(), $m->isRedelivered()];
        if ($m->getBody() === 'batch 0' && count($consumed) === 1) {
            $m->nack(true);
        } else {
            $m->ack();
        }
    });
    try {
        while (count($consumed) < 4) {
            $ch->wait(null, false, 3);
        }
    } catch (AMQPTimeoutException $e) {
    }
    $ch->basic_cancel('nacker');
    $ch->queue_delete(P . 'requeue');
    $ch->close();
    return ['seen' => $seen, 'depth_after_drop' => $afterDrop, 'depth_after_reject' => $afterReject,
        'depth_after_multiple' => $afterMultiple, 'consumed' => $consumed];
});

check('dead_letter_ttl', function () use ($conn) {
    $ch = confirm_channel($conn, ['dead', 'ttl', 'expiring', 'rejects'], ['dlx']);
    $ch->exchange_declare(P . 'dlx', 'fanout', false, false, false);
    $ch->queue_declare(P . 'dead', false, false, false, false);
    $ch->queue_bind(P . 'dead', P . 'dlx');
    $ch->queue_declare(P . 'ttl', false, false, false, false, false,
        new AMQPTable(['x-message-ttl' => 100, 'x-dead-letter-exchange' => P . 'dlx']));
    $ch->queue_declare(P . 'expiring', false, false, false, false, false,
        new AMQPTable(['x-dead-letter-exchange' => P . 'dlx']));
    $ch->queue_declare(P . 'rejects', false, false, false, false, false,
        new AMQPTable(['x-dead-letter-exchange' => P . 'dlx', 'x-dead-letter-routing-key' => 'rejected-key']));
    $ch->basic_publish(new AMQPMessage('queue ttl'), '', P . 'ttl');
    $ch->basic_publish(new AMQPMessage('message ttl', ['expiration' => '50']), '', P . 'expiring');
    $ch->basic_publish(new AMQPMessage('refused'), '', P . 'rejects');
    $ch->wait_for_pending_acks(5);
    $ch->basic_get(P . 'rejects')->reject(false);
    $dead = [];
    $deadline = microtime(true) + 4;
    while (count($dead) < 3 && microtime(true) < $deadline) {
        $m = $ch->basic_get(P . 'dead', true);
        if ($m === null) {
            usleep(20000);
            continue;
        }
        $h = $m->get('application_headers')->getNativeData();
        $death = $h['x-death'][0] ?? [];
        $dead[] = ['body' => $m->getBody(), 'routing_key' => $m->getRoutingKey(), 'exchange' => $m->getExchange(),
            'reason' => $death['reason'] ?? null, 'queue' => $death['queue'] ?? null, 'count' => $death['count'] ?? null,
            'death_exchange' => $death['exchange'] ?? null, 'routing_keys' => $death['routing-keys'] ?? null,
            'original_expiration' => $death['original-expiration'] ?? null,
            'has_expiration' => $m->has('expiration'),
            'first_death_reason' => $h['x-first-death-reason'] ?? null];
    }
    usort($dead, fn ($a, $b) => strcmp($a['body'], $b['body']));
    foreach (['dead', 'ttl', 'expiring', 'rejects'] as $q) {
        $ch->queue_delete(P . $q);
    }
    $ch->exchange_delete(P . 'dlx');
    $ch->close();
    return ['dead_letters' => $dead];
});

check('passive_missing', function () use ($conn) {
    $ch = $conn->channel();
    $refused = refusal(fn () => $ch->queue_declare(P . 'missing', true));
    // the connection survives a channel error: a new channel works
    $fresh = $conn->channel();
    [$name] = $fresh->queue_declare('', false, false, true);
    $fresh->close();
    return $refused + ['channel_open' => $ch->is_open(), 'connection_open' => $conn->isConnected(),
        'new_channel_works' => str_starts_with($name, 'amq.gen-')];
});

check('exclusive_locked', function () use ($conn) {
    $owner = amqp_connect();
    $owner->channel()->queue_declare(P . 'exclusive', false, false, true, false);
    $result = refusal(fn () => $conn->channel()->queue_declare(P . 'exclusive', false, false, true, false));
    $result['consume_error'] = refusal(
        fn () => $conn->channel()->basic_consume(P . 'exclusive', '', false, true, false, false, fn () => null)
    );
    $owner->close();
    try {
        $conn->channel()->queue_declare(P . 'exclusive', true);
        $result['gone_after_close'] = false;
    } catch (AMQPProtocolException $e) {
        $result['gone_after_close'] = $e->amqp_reply_code === 404;
    }
    return $result;
});

check('reserved_name', function () use ($conn) {
    return refusal(fn () => $conn->channel()->exchange_declare('amq.php-test', 'direct', false, false, false));
});

check('unknown_delivery_tag', function () use ($conn) {
    $ch = $conn->channel();
    $ch->basic_ack(99);
    // the channel.close arrives while the client waits for anything else
    return refusal(fn () => $ch->queue_declare('', false, false, true)) + ['connection_open' => $conn->isConnected()];
});

check('wrong_password', function () {
    try {
        $c = amqp_connect(0, 'not-the-password');
        $c->close();
        return ['raised' => false];
    } catch (\Throwable $e) {
        $info = ['error_class' => (new \ReflectionClass($e))->getShortName(), 'code' => $e->getCode(), 'message' => $e->getMessage()];
        return $info;
    }
});

check('headers_exchange', function () use ($conn) {
    $ch = confirm_channel($conn, [], ['headers']);
    $ch->exchange_declare(P . 'headers', 'headers', false, false, false);
    [$all] = $ch->queue_declare('', false, false, true);
    [$any] = $ch->queue_declare('', false, false, true);
    $ch->queue_bind($all, P . 'headers', '', false, new AMQPTable(['x-match' => 'all', 'format' => 'pdf', 'type' => 'report']));
    $ch->queue_bind($any, P . 'headers', '', false, new AMQPTable(['x-match' => 'any', 'format' => 'zip', 'type' => 'log']));
    $publish = function (string $body, array $headers) use ($ch) {
        $props = $headers ? ['application_headers' => new AMQPTable($headers)] : [];
        $ch->basic_publish(new AMQPMessage($body, $props), P . 'headers');
    };
    $publish('pdf report', ['format' => 'pdf', 'type' => 'report']);
    $publish('zip anything', ['format' => 'zip', 'type' => 'other']);
    $publish('pdf log', ['format' => 'pdf', 'type' => 'log']);
    $publish('pdf only', ['format' => 'pdf']);
    $publish('no headers', []);
    $ch->wait_for_pending_acks(5);
    $result = ['all' => drain($ch, $all), 'any' => drain($ch, $any)];
    $ch->exchange_delete(P . 'headers');
    $ch->close();
    return $result;
});

check('cancel_notification', function () use ($conn) {
    cleanup($conn, ['cancel']);
    $ch = $conn->channel();
    $ch->queue_declare(P . 'cancel', false, false, false, false);
    $tag = $ch->basic_consume(P . 'cancel', '', false, true, false, false, function () {
    });
    $conn->channel()->queue_delete(P . 'cancel');
    try {
        $ch->wait(null, false, 3);
        return ['notified' => false];
    } catch (AMQPBasicCancelException $e) {
        return ['notified' => true, 'same_tag' => $e->getConsumerTag() === $tag, 'tag_prefix' => substr($tag, 0, 9),
            'channel_open' => $ch->is_open()];
    }
});

check('transactions', function () use ($conn) {
    cleanup($conn, ['tx']);
    $ch = $conn->channel();
    $ch->queue_declare(P . 'tx', false, false, false, false);
    $ch->tx_select();
    $ch->basic_publish(new AMQPMessage('rolled back'), '', P . 'tx');
    $ch->tx_rollback();
    [, $afterRollback] = $ch->queue_declare(P . 'tx', true);
    $ch->basic_publish(new AMQPMessage('committed'), '', P . 'tx');
    [, $beforeCommit] = $ch->queue_declare(P . 'tx', true);
    $ch->tx_commit();
    [, $afterCommit] = $ch->queue_declare(P . 'tx', true);
    $bodies = drain($ch, P . 'tx');
    $ch->queue_delete(P . 'tx');
    $ch->close();
    return ['after_rollback' => $afterRollback, 'before_commit' => $beforeCommit, 'after_commit' => $afterCommit,
        'bodies' => $bodies];
});

check('recover', function () use ($conn) {
    cleanup($conn, ['recover']);
    $ch = $conn->channel();
    $ch->queue_declare(P . 'recover', false, false, false, false);
    $ch->basic_publish(new AMQPMessage('again please'), '', P . 'recover');
    $got = [];
    $ch->basic_consume(P . 'recover', 'rec', false, false, false, false, function (AMQPMessage $m) use (&$got) {
        $got[] = [$m->getBody(), $m->isRedelivered()];
        if (count($got) > 1) {
            $m->ack();
        }
    });
    try {
        $ch->wait(null, false, 3);
        $ch->basic_recover(true);
        while (count($got) < 2) {
            $ch->wait(null, false, 3);
        }
    } catch (AMQPTimeoutException $e) {
    }
    $ch->queue_delete(P . 'recover');
    $ch->close();
    return ['deliveries' => $got];
});

check('quorum_queue', function () use ($conn) {
    $ch = confirm_channel($conn, ['quorum']);
    $ch->queue_declare(P . 'quorum', false, true, false, false, false, new AMQPTable(['x-queue-type' => 'quorum']));
    foreach (['a', 'b', 'c'] as $body) {
        $ch->basic_publish(new AMQPMessage($body), '', P . 'quorum');
    }
    $ch->wait_for_pending_acks(5);
    $count = function (AMQPMessage $m) {
        return $m->has('application_headers') ? ($m->get('application_headers')->getNativeData()['x-delivery-count'] ?? null) : null;
    };
    $first = $ch->basic_get(P . 'quorum');
    $seen = [[$first->getBody(), $count($first), $first->isRedelivered()]];
    $first->reject(true);
    // without x-delivery-limit a returned message goes to the back of a quorum queue
    while (($m = $ch->basic_get(P . 'quorum', true)) !== null) {
        $seen[] = [$m->getBody(), $count($m), $m->isRedelivered()];
    }
    // a quorum queue does not do global qos: the consume closes the connection
    $other = amqp_connect();
    $och = $other->channel();
    $och->basic_qos(null, 1, true);
    $globalQos = null;
    try {
        $och->basic_consume(P . 'quorum', '', false, false, false, false, function () {
        });
        $och->wait(null, false, 2);
    } catch (\Throwable $e) {
        $globalQos = [(new \ReflectionClass($e))->getShortName(), $e->getCode(), $e->getMessage()];
    }
    $ch->queue_delete(P . 'quorum');
    $ch->close();
    return ['gets' => $seen, 'global_qos' => $globalQos];
});

check('large_message', function () use ($conn) {
    $ch = confirmed_queue($conn, 'large');
    $body = '';
    for ($i = 0; $i < 1024 * 1024 + 17; $i++) {
        $body .= chr(97 + $i % 26);
    }
    $ch->basic_publish(new AMQPMessage($body), '', P . 'large');
    $ch->wait_for_pending_acks(10);
    $got = $ch->basic_get(P . 'large', true);
    $ch->queue_delete(P . 'large');
    $ch->close();
    return ['size' => strlen($got->getBody()), 'equal' => $got->getBody() === $body];
});

$conn->close();
emit(['done' => 'all']);
