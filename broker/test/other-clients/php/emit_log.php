<?php
// Tutorials three to five, the publisher: emit_log.php TYPE EXCHANGE ROUTING_KEY MESSAGE...
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Message\AMQPMessage;

[$type, $exchange, $key] = array_slice($argv, 1, 3);
$text = implode(' ', array_slice($argv, 4));
$connection = amqp_connect();
$channel = $connection->channel();
$channel->exchange_declare($exchange, $type, false, false, false);
$channel->basic_publish(new AMQPMessage($text), $exchange, $key);
emit(['sent' => $text, 'routing_key' => $key]);
$channel->close();
$connection->close();
