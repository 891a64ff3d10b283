<?php
// Tutorial one, the sender: one message to "php.hello" through the default exchange.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Message\AMQPMessage;

$connection = amqp_connect();
$channel = $connection->channel();
$channel->queue_declare('php.hello', false, false, false, false);
$text = count($argv) > 1 ? implode(' ', array_slice($argv, 1)) : 'Hello World!';
$channel->basic_publish(new AMQPMessage($text), '', 'php.hello');
emit(['sent' => $text]);
$channel->close();
$connection->close();
