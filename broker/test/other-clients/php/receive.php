<?php
// Tutorial one, the receiver: prints what arrives on "php.hello" until MAX_MESSAGES or TIMEOUT.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Exception\AMQPTimeoutException;
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
echo "READY\n";
$deadline = microtime(true) + env_float('TIMEOUT', 10);
while ($count < $max && microtime(true) < $deadline) {
    try {
        $channel->wait(null, false, max(0.05, $deadline - microtime(true)));
    } catch (AMQPTimeoutException $e) {
        break;
    }
}
emit(['done' => $count >= $max ? 'count' : 'timeout', 'count' => $count]);
$channel->close();
$connection->close();
