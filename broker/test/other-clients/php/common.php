<?php
// Shared by the php-amqplib programs: where the broker is, and one JSON line per observation.
require_once '/usr/share/php/PhpAmqpLib/autoload.php';

use PhpAmqpLib\Connection\AMQPStreamConnection;

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
