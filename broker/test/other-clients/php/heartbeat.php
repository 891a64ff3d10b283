<?php
// Heartbeats as php-amqplib users meet them: a consumer asks for HEARTBEAT seconds and idles in
// $channel->wait() for IDLE seconds. The library sends its heartbeats from inside wait() and gives
// up on a broker that is silent for two intervals, so the connection survives only if both sides
// keep beating.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Exception\AMQPTimeoutException;
use PhpAmqpLib\Message\AMQPMessage;

$requested = (int) (getenv('HEARTBEAT') ?: 2);
$idle = env_float('IDLE', 7);
$conn = amqp_connect($requested);
$ch = $conn->channel();
[$queue] = $ch->queue_declare('', false, false, true);
$got = [];
$ch->basic_consume($queue, '', false, true, false, false, function (AMQPMessage $m) use (&$got) {
    $got[] = $m->getBody();
});
emit(['check' => 'negotiated', 'ok' => true, 'heartbeat' => $conn->getHeartbeat()]);
$started = microtime(true);
while (microtime(true) - $started < $idle) {
    try {
        $ch->wait(null, false, 0.5);
    } catch (AMQPTimeoutException $e) {
    }
}
try {
    $ch->basic_publish(new AMQPMessage('still here'), '', $queue);
    $ch->wait(null, false, 2);
    emit(['check' => 'idle', 'ok' => $got === ['still here'], 'alive' => true, 'got' => $got,
        'idle_seconds' => (int) round(microtime(true) - $started)]);
    $conn->close();
} catch (\Throwable $e) {
    emit(['check' => 'idle', 'ok' => false, 'alive' => false,
        'error_class' => (new \ReflectionClass($e))->getShortName(), 'error' => $e->getMessage()]);
}
emit(['done' => 'all']);
