"""Shared by the Python client programs: where the broker is, the check registry, one JSON line per
check, and the removal of whatever a check declares.

A program registers its checks with @check, reports what a check saw with emit(name, **fields) and
ends with main() (or, for asyncio checks, asyncio.run(main_async())): every check runs, one that
raises prints {"check": name, "ok": false, "error": ...}, and a final {"done": "ok"} follows.
Usage of a program: <program>.py [check ...]   (default: all)
"""
import asyncio
import json
import os
import sys
import traceback
from urllib.parse import urlsplit

import amqp

URL = os.environ.get('AMQP_URL') or 'amqp://guest:guest@%s:%s' % (
    os.environ.get('AMQP_HOST', 'localhost'), os.environ.get('AMQP_PORT', '5672'))
HOST, PORT = urlsplit(URL).hostname, urlsplit(URL).port or 5672
ADDRESS = '%s:%d' % (HOST, PORT)  # as py-amqp takes it

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def emit(name, **fields):
    print(json.dumps(dict(check=name, ok=True, **fields), default=str), flush=True)


def text(body):
    return body.decode() if isinstance(body, bytes) else body


def error_info(exc):
    """A channel or connection error as the test compares it: class, reply code and reply text."""
    return {'exception': type(exc).__name__, 'reply_code': getattr(exc, 'reply_code', None),
            'reply_text': getattr(exc, 'reply_text', str(exc))}


def cleanup(queues=(), exchanges=()):
    """Deletes what an earlier run may have left (through py-amqp, whichever library the program tests)."""
    with amqp.Connection(ADDRESS, userid='guest', password='guest') as conn:
        ch = conn.channel()
        for q in queues:
            ch.queue_delete(q)
        for x in exchanges:
            ch.exchange_delete(x)


def _wanted():
    wanted = set(sys.argv[1:])
    return [fn for fn in CHECKS if not wanted or fn.__name__ in wanted]


def _failed(fn, exc):
    print(json.dumps({'check': fn.__name__, 'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc),
                      'trace': traceback.format_exc()}), flush=True)


def main():
    for fn in _wanted():
        try:
            fn()
        except Exception as exc:
            _failed(fn, exc)
    print(json.dumps({'done': 'ok'}), flush=True)


async def main_async(seconds_per_check=10):
    for fn in _wanted():
        try:
            await asyncio.wait_for(fn(), seconds_per_check)
        except Exception as exc:
            _failed(fn, exc)
    print(json.dumps({'done': 'ok'}), flush=True)
