<?php
// Tutorial two, the worker: prefetch 1 and manual acks, so a busy worker gets no new task.
// Stops after IDLE_TIMEOUT seconds without a task, or TIMEOUT in all.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Exception\AMQPTimeoutException;
use PhpAmqpLib\Message\AMQPMessage;

$connection = amqp_connect();
$channel = $connection->channel();
$channel->queue_declare('php.task_queue', false, true, false, false);
$channel->basic_qos(null, 1, null);
$perDot = env_float('SECONDS_PER_DOT', 0.1);
$count = 0;
$channel->basic_consume('php.task_queue', '', false, false, false, false, function (AMQPMessage $msg) use (&$count, $perDot) {
    usleep((int) (substr_count($msg->getBody(), '.') * $perDot * 1e6));
    emit([
        'body' => $msg->getBody(),
        'redelivered' => $msg->isRedelivered(),
        'persistent' => $msg->get('delivery_mode') === AMQPMessage::DELIVERY_MODE_PERSISTENT,
    ]);
    $msg->ack();
    $count++;
});
echo "READY\n";
$idle = env_float('IDLE_TIMEOUT', 3);
$deadline = microtime(true) + env_float('TIMEOUT', 15);
$reason = 'idle';
while (true) {
    if (microtime(true) > $deadline) {
        $reason = 'timeout';
        break;
    }
    try {
        $channel->wait(null, false, $idle);
    } catch (AMQPTimeoutException $e) {
        break;
    }
}
emit(['done' => $reason, 'count' => $count]);
$channel->close();
$connection->close();
