<?php
// Shared by the php-amqplib programs: where the broker is, one JSON line per observation, and the
// wait() loop of a program that consumes until it has seen enough.
require_once '/usr/share/php/PhpAmqpLib/autoload.php';

use PhpAmqpLib\Channel\AMQPChannel;
use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Exception\AMQPTimeoutException;

function amqp_settings(): array
{
    $url = getenv('AMQP_URL') ?: '';
    $parts = $url !== '' ? parse_url($url) : [];
    return [
        'host' => getenv('AMQP_HOST') ?: ($parts['host'] ?? '127.0.0.1'),
        'port' => (int) (getenv('AMQP_PORT') ?: ($parts['port'] ?? 5672)),
        'user' => isset($parts['user']) ? urldecode($parts['user']) : 'guest',
        'password' => isset($parts['pass']) ? urldecode($parts['pass']) : 'guest',
    ];
}

/** The constructor call php-amqplib's README shows, with heartbeat and password overridable. */
function amqp_connect(int $heartbeat = 0, ?string $password = null, string $loginMethod = 'AMQPLAIN'): AMQPStreamConnection
{
    $s = amqp_settings();
    // php-amqplib insists on a read/write timeout of at least twice the heartbeat
    $readWrite = max(3.0, $heartbeat * 2.0 + 1.0);
    return new AMQPStreamConnection(
        $s['host'], $s['port'], $s['user'], $password ?? $s['password'], '/',
        false, $loginMethod, null, 'en_US', 3.0, $readWrite, null, false, $heartbeat
    );
}

function emit(array $line): void
{
    echo json_encode($line, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
}

function env_float(string $name, float $default): float
{
    $v = getenv($name);
    return $v === false || $v === '' ? $default : (float) $v;
}

/**
 * For a program that consumes until its callback has counted $max messages: READY (and $ready after
 * it) once the consumer is set up, then wait() until $count reaches $max or TIMEOUT runs out; prints
 * {"done": "count" | "timeout", "count": n} + $done and closes channel and connection.
 */
function consume_until(AMQPStreamConnection $connection, AMQPChannel $channel, int &$count, int $max,
    string $ready = '', array $done = []): void
{
    echo trim("READY $ready"), "\n";
    $deadline = microtime(true) + env_float('TIMEOUT', 10);
    while ($count < $max && microtime(true) < $deadline) {
        try {
            $channel->wait(null, false, max(0.05, $deadline - microtime(true)));
        } catch (AMQPTimeoutException $e) {
            break;
        }
    }
    emit(['done' => $count >= $max ? 'count' : 'timeout', 'count' => $count] + $done);
    $channel->close();
    $connection->close();
}
