<?php
// Tutorial one, the receiver: prints what arrives on "php.hello" until MAX_MESSAGES or TIMEOUT.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Message\AMQPMessage;

$max = (int) (getenv('MAX_MESSAGES') ?: 1);
$connection = amqp_connect();
$channel = $connection->channel();
$channel->queue_declare('php.hello', false, false, false, false);
$count = 0;
$channel->basic_consume('php.hello', '', false, true, false, false, function (AMQPMessage $msg) use (&$count) {
    emit(['routing_key' => $msg->getRoutingKey(), 'body' => $msg->getBody(), 'redelivered' => $msg->isRedelivered()]);
    $count++;
});
consume_until($connection, $channel, $count, $max);
