<?php
// Tutorial two, the producer: persistent tasks on the durable "php.task_queue"; dots are seconds of work.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Message\AMQPMessage;

$connection = amqp_connect();
$channel = $connection->channel();
$channel->queue_declare('php.task_queue', false, true, false, false);
$tasks = count($argv) > 1 ? array_slice($argv, 1) : ['Hello World!'];
foreach ($tasks as $task) {
    $msg = new AMQPMessage($task, ['delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT]);
    $channel->basic_publish($msg, '', 'php.task_queue');
    emit(['sent' => $task]);
}
$channel->close();
$connection->close();
