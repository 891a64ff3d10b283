<?php
// Tutorials three to five, the subscriber: receive_logs.php TYPE EXCHANGE [BINDING_KEY...].
// A server-named exclusive queue bound once per key; prints messages until MAX_MESSAGES or TIMEOUT.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Message\AMQPMessage;

[$type, $exchange] = array_slice($argv, 1, 2);
$keys = array_slice($argv, 3);
$max = (int) (getenv('MAX_MESSAGES') ?: 1000000);
$connection = amqp_connect();
$channel = $connection->channel();
$channel->exchange_declare($exchange, $type, false, false, false);
[$queue] = $channel->queue_declare('', false, false, true, false);
foreach ($keys ?: [''] as $key) {
    $channel->queue_bind($queue, $exchange, $key);
}
$count = 0;
$channel->basic_consume($queue, '', false, true, false, false, function (AMQPMessage $msg) use (&$count) {
    emit(['routing_key' => $msg->getRoutingKey(), 'body' => $msg->getBody(), 'exchange' => $msg->getExchange()]);
    $count++;
});
consume_until($connection, $channel, $count, $max, $queue, ['queue_prefix' => substr($queue, 0, 8)]);
