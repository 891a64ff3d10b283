<?php
// Tutorial six, the client: rpc_client.php N... calls fib(N) on RPC_QUEUE ("php.rpc_queue") and waits for each
// answer by correlation_id. REPLY_TO=direct uses amq.rabbitmq.reply-to, otherwise a server-named
// exclusive callback queue.
require_once __DIR__ . '/common.php';

use PhpAmqpLib\Exception\AMQPTimeoutException;
use PhpAmqpLib\Message\AMQPMessage;

class FibonacciRpcClient
{
    private $connection;
    private $channel;
    private $callbackQueue;
    private $response;
    private $corrId;

    public function __construct(bool $direct)
    {
        $this->connection = amqp_connect();
        $this->channel = $this->connection->channel();
        if ($direct) {
            $this->callbackQueue = 'amq.rabbitmq.reply-to';
        } else {
            [$this->callbackQueue] = $this->channel->queue_declare('', false, false, true, false);
        }
        $this->channel->basic_consume($this->callbackQueue, '', false, true, false, false, [$this, 'onResponse']);
    }

    public function onResponse(AMQPMessage $rep): void
    {
        if ($rep->get('correlation_id') === $this->corrId) {
            $this->response = $rep->getBody();
        }
    }

    public function queueName(): string
    {
        return $this->callbackQueue;
    }

    public function call(int $n, float $timeout): ?string
    {
        $this->response = null;
        $this->corrId = uniqid('', true);
        $msg = new AMQPMessage((string) $n, ['correlation_id' => $this->corrId, 'reply_to' => $this->callbackQueue]);
        $this->channel->basic_publish($msg, '', getenv('RPC_QUEUE') ?: 'php.rpc_queue');
        try {
            while ($this->response === null) {
                $this->channel->wait(null, false, $timeout);
            }
        } catch (AMQPTimeoutException $e) {
            return null;
        }
        return $this->response;
    }

    public function close(): void
    {
        $this->channel->close();
        $this->connection->close();
    }
}

$client = new FibonacciRpcClient(getenv('REPLY_TO') === 'direct');
foreach (array_slice($argv, 1) as $arg) {
    $answer = $client->call((int) $arg, env_float('TIMEOUT', 5));
    emit(['n' => (int) $arg, 'body' => $answer, 'reply_queue_prefix' => substr($client->queueName(), 0, 21)]);
}
emit(['done' => 'all']);
$client->close();
