<?php
// connection.blocked as php-amqplib users handle it: block and unblock handlers, and the
// AMQPConnectionBlockedException a publish throws while blocked. Publishes until the broker says
// it is blocked (the test raises its memory alarm after READY), then waits to be unblocked.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Exception\AMQPConnectionBlockedException;
use PhpAmqpLib\Exception\AMQPTimeoutException;
use PhpAmqpLib\Message\AMQPMessage;

$conn = amqp_connect();
$events = [];
$conn->set_connection_block_handler(function ($reason) use (&$events) {
    $events[] = ['blocked', $reason];
});
$conn->set_connection_unblock_handler(function () use (&$events) {
    $events[] = ['unblocked'];
});
$ch = $conn->channel();
$ch->confirm_select();
[$queue] = $ch->queue_declare('', false, false, true);
$ch->basic_publish(new AMQPMessage('before'), '', $queue);
$ch->wait_for_pending_acks(5);
echo "READY\n";
$sent = 1;
$refused = null;
$has = function (string $kind) use (&$events): bool {
    return in_array($kind, array_column($events, 0), true);
};
$deadline = microtime(true) + env_float('TIMEOUT', 10);
while (!$has('unblocked') && microtime(true) < $deadline) {
    if (!$has('blocked')) {
        $ch->basic_publish(new AMQPMessage("while blocking $sent"), '', $queue);
        $sent++;
    } elseif ($refused === null) {
        emit(['seen' => 'blocked']);
        // once told, the library refuses to publish rather than pile up in the socket
        try {
            $ch->basic_publish(new AMQPMessage('after blocked'), '', $queue);
            $sent++;
            $refused = false;
        } catch (AMQPConnectionBlockedException $e) {
            $refused = true;
        }
    }
    try {
        $ch->wait(null, true, 0.05);
    } catch (AMQPTimeoutException $e) {
    }
}
$ch->wait_for_pending_acks(5);
[, $depth] = $ch->queue_declare($queue, true);
emit(['check' => 'blocked', 'ok' => $has('unblocked'), 'events' => $events, 'refused_publish' => $refused,
    'depth' => $depth, 'sent' => $sent]);
$conn->close();
emit(['done' => 'all']);
