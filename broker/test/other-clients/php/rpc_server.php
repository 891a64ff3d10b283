<?php
// Tutorial six, the server: fib(n) for requests on RPC_QUEUE ("php.rpc_queue"), one at a time, answered to
// reply_to with the request's correlation_id. Stops after MAX_REQUESTS or TIMEOUT.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Message\AMQPMessage;

function fib(int $n): int
{
    [$a, $b] = [0, 1];
    for ($i = 0; $i < $n; $i++) {
        [$a, $b] = [$b, $a + $b];
    }
    return $a;
}

$max = (int) (getenv('MAX_REQUESTS') ?: 1000000);
$queue = getenv('RPC_QUEUE') ?: 'php.rpc_queue';
$connection = amqp_connect();
$channel = $connection->channel();
$channel->queue_declare($queue, false, false, false, false);
$channel->basic_qos(null, 1, null);
$count = 0;
$channel->basic_consume($queue, '', false, false, false, false, function (AMQPMessage $req) use (&$count) {
    $n = (int) $req->getBody();
    $reply = new AMQPMessage((string) fib($n), ['correlation_id' => $req->get('correlation_id')]);
    $req->getChannel()->basic_publish($reply, '', $req->get('reply_to'));
    $req->ack();
    emit(['request' => $n, 'reply_to' => $req->get('reply_to')]);
    $count++;
});
consume_until($connection, $channel, $count, $max);
