// warrenctl: rabbitmqctl's everyday commands against a running Warren, over its management API.
//
//   warrenctl [--url URL] [-u USER] [--password PW] [-p VHOST] [--formatter json] [-q] <command> [args]
//
// Option errors exit 2 like every Warren entry point; command errors exit 64 as in rabbitmqctl.
//
// Listings print a header line and tab-separated rows (or JSON with --formatter json), as
// rabbitmqctl does; other commands print what they are doing unless -q.
import { readFile, writeFile } from 'node:fs/promises';
import { ArgError, EXIT_USAGE, usageError } from '../../cli-args';
import { CtlError, EXIT, ManagementClient, seg } from './ctl-client';
import { parseCtlArgs, type Options } from './ctl-args';
import { formatRows, type Accessor } from './ctl-format';

export interface CtlIo {
  env: Record<string, string | undefined>;
  stdout(s: string): void;
  stderr(s: string): void;
  /** all of standard input, for `import_definitions -` and `import_messages <exchange> -` */
  stdin(): Promise<string>;
}

interface Ctx {
  api: ManagementClient;
  opts: Options;
  io: CtlIo;
  /** an info line ("Listing queues ..."), unless quiet or JSON output */
  info(line: string): void;
}

interface Command {
  args: string;
  min: number;
  max: number;
  run(ctx: Ctx, args: string[]): Promise<void>;
}

type Row = Record<string, unknown>;

const path = (...parts: string[]) => `/api/${parts.map(seg).join('/')}`;

/** A listing: the API path, rabbitmqctl's default columns, and its column names that differ from the API's. */
function listing(
  what: string,
  apiPath: (o: Options) => string,
  defaults: string[],
  aliases: Record<string, Accessor> = {},
  scope: (o: Options) => string = (o) => ` for vhost ${o.vhost}`,
): Command {
  return {
    args: '[column ...]',
    min: 0,
    max: Infinity,
    async run(ctx, args) {
      const columns = args.length === 0 ? defaults : args.flatMap((a) => a.split(',')).filter((c) => c !== '');
      const rows = (await ctx.api.get(apiPath(ctx.opts))) as Row[];
      const unknown = rows.length === 0 ? [] : columns.filter((c) => !(c in aliases) && !(c in rows[0]));
      if (unknown.length > 0) throw new CtlError(`Invalid info key(s): ${unknown.join(', ')}`, EXIT.usage);
      ctx.info(`Listing ${what}${scope(ctx.opts)} ...`);
      const access = (c: string): Accessor => aliases[c] ?? ((r) => r[c]);
      ctx.io.stdout(formatRows(rows, columns, access, ctx.opts.formatter, ctx.opts.headers));
    },
  };
}

const nested = (a: string, b: string): Accessor => (r) => (r[a] as Row | undefined)?.[b];

/** The API quotes Erlang terms HTML-escaped (`&lt;&lt;"x"&gt;&gt;`); rabbitmqctl prints them as they are. */
const unescapeHtml = (s: string) => s.replace(/&(lt|gt|amp);/g, (_, e: string) => (e === 'lt' ? '<' : e === 'gt' ? '>' : '&'));

/** trace_on/trace_off: the vhost's tracing flag; as rabbitmqctl, a vhost that does not exist is not an error. */
function traceCommand(on: boolean): Command {
  return {
    args: '[-p <vhost>]',
    min: 0,
    max: 0,
    async run(ctx) {
      const vhost = ctx.opts.vhost;
      ctx.info(`${on ? 'Starting' : 'Stopping'} tracing for vhost "${vhost}" ...`);
      const exists = await ctx.api.get(path('vhosts', vhost)).then(
        () => true,
        (err: unknown) => {
          if (err instanceof CtlError && err.code === EXIT.dataErr) return false;
          throw err;
        },
      );
      if (exists) await ctx.api.put(path('vhosts', vhost), { tracing: on });
      ctx.io.stdout(`Trace ${on ? 'enabled' : 'disabled'} for vhost ${vhost}\n`);
    },
  };
}

/** rabbitmqctl's words and exit codes for a policy command's failures. */
async function policyCall<T>(vhost: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof CtlError) || err.code !== EXIT.dataErr) throw err;
    if (err.message === 'vhost_not_found') throw new CtlError(`Virtual host '${vhost}' does not exist`, EXIT.dataErr);
    if (err.message === 'not found') throw new CtlError('Parameter does not exist', EXIT.unavailable);
    throw new CtlError(unescapeHtml(err.message), EXIT.unavailable);
  }
}

export const COMMANDS: Record<string, Command> = {
  list_queues: listing('queues', (o) => path('queues', o.vhost), ['name', 'messages']),
  list_exchanges: listing('exchanges', (o) => path('exchanges', o.vhost), ['name', 'type']),
  list_bindings: listing(
    'bindings',
    (o) => path('bindings', o.vhost),
    ['source_name', 'source_kind', 'destination_name', 'destination_kind', 'routing_key', 'arguments'],
    { source_name: (r) => r.source, source_kind: () => 'exchange', destination_name: (r) => r.destination, destination_kind: (r) => r.destination_type },
  ),
  list_connections: listing('connections', () => '/api/connections', ['user', 'peer_host', 'peer_port', 'state'], {}, () => ''),
  list_consumers: listing(
    'consumers',
    (o) => path('consumers', o.vhost),
    ['queue_name', 'channel_pid', 'consumer_tag', 'ack_required', 'prefetch_count', 'active', 'arguments'],
    { queue_name: nested('queue', 'name'), channel_pid: nested('channel_details', 'name') },
    (o) => ` in vhost ${o.vhost}`,
  ),
  list_policies: {
    args: '[-p <vhost>]',
    min: 0,
    max: 0,
    async run(ctx) {
      const vhost = ctx.opts.vhost;
      ctx.info(`Listing policies for vhost "${vhost}" ...`);
      const rows = await ctx.api.get(path('policies', vhost)).catch((err: unknown) => {
        if (err instanceof CtlError && err.code === EXIT.dataErr) throw new CtlError(`Virtual host '${vhost}' does not exist`, EXIT.dataErr);
        throw err;
      });
      // rabbitmqctl shows the definition as its JSON text, in a table and in JSON output alike
      const access = (c: string): Accessor => (c === 'definition' ? (r) => JSON.stringify(r.definition) : (r) => r[c]);
      const columns = ['vhost', 'name', 'pattern', 'apply-to', 'definition', 'priority'];
      ctx.io.stdout(formatRows(rows as Row[], columns, access, ctx.opts.formatter, ctx.opts.headers));
    },
  },
  set_policy: {
    args: '[-p <vhost>] [--priority <priority>] [--apply-to <apply-to>] <name> <pattern> <definition>',
    min: 3,
    max: 3,
    async run(ctx, [name, pattern, definition]) {
      const { vhost, priority, applyTo } = ctx.opts;
      ctx.info(`Setting policy "${name}" for pattern "${pattern}" to "${definition}" with priority "${priority ?? 0}" for vhost "${vhost}" ...`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(definition);
      } catch {
        // rabbitmqctl's words for any definition its JSON decoder refuses
        throw new CtlError('JSON decoding error. Reason: badarg', EXIT.unavailable);
      }
      const body = { pattern, definition: parsed, ...(priority !== undefined ? { priority } : {}), ...(applyTo !== undefined ? { 'apply-to': applyTo } : {}) };
      await policyCall(vhost, () => ctx.api.put(path('policies', vhost, name), body));
    },
  },
  clear_policy: {
    args: '[-p <vhost>] <name>',
    min: 1,
    max: 1,
    async run(ctx, [name]) {
      const vhost = ctx.opts.vhost;
      ctx.info(`Clearing policy "${name}" on vhost "${vhost}" ...`);
      await policyCall(vhost, () => ctx.api.del(path('policies', vhost, name)));
    },
  },
  add_user: {
    args: '<username> <password>',
    min: 2,
    max: 2,
    async run(ctx, [user, password]) {
      ctx.info(`Adding user "${user}" ...`);
      await ctx.api.put(path('users', user), { password, tags: '' });
      ctx.info(`Done. Don't forget to grant the user permissions to some virtual hosts! See 'warrenctl help set_permissions' to learn more.`);
    },
  },
  delete_user: {
    args: '<username>',
    min: 1,
    max: 1,
    async run(ctx, [user]) {
      ctx.info(`Deleting user "${user}" ...`);
      await ctx.api.del(path('users', user));
    },
  },
  set_user_tags: {
    args: '<username> <tag> [...]',
    min: 1,
    max: Infinity,
    async run(ctx, [user, ...tags]) {
      ctx.info(`Setting tags for user "${user}" to [${tags.join(', ')}] ...`);
      // PUT replaces the user: keep the password hash it has
      const current = (await ctx.api.get(path('users', user))) as Row;
      await ctx.api.put(path('users', user), { password_hash: current.password_hash, hashing_algorithm: current.hashing_algorithm, tags });
    },
  },
  set_permissions: {
    args: '[-p <vhost>] <username> <conf> <write> <read>',
    min: 4,
    max: 4,
    async run(ctx, [user, configure, write, read]) {
      ctx.info(`Setting permissions for user "${user}" in vhost "${ctx.opts.vhost}" ...`);
      await ctx.api.put(path('permissions', ctx.opts.vhost, user), { configure, write, read });
    },
  },
  set_topic_permissions: {
    args: '[-p <vhost>] <username> <exchange> <write> <read>',
    min: 4,
    max: 4,
    async run(ctx, [user, exchange, write, read]) {
      ctx.info(`Setting topic permissions on "${exchange}" for user "${user}" in vhost "${ctx.opts.vhost}" ...`);
      await ctx.api.put(path('topic-permissions', ctx.opts.vhost, user), { exchange, write, read });
    },
  },
  clear_topic_permissions: {
    args: '[-p <vhost>] <username> [<exchange>]',
    min: 1,
    max: 2,
    async run(ctx, [user, exchange]) {
      const vhost = ctx.opts.vhost;
      ctx.info(`Clearing topic permissions${exchange === undefined ? '' : ` on "${exchange}"`} for user "${user}" in vhost "${vhost}" ...`);
      const query = exchange === undefined ? '' : `?exchange=${encodeURIComponent(exchange)}`;
      // as rabbitmqctl: clearing what is not there is no error
      await ctx.api.del(`${path('topic-permissions', vhost, user)}${query}`).catch((err: unknown) => {
        if (!(err instanceof CtlError && err.code === EXIT.dataErr)) throw err;
      });
    },
  },
  list_topic_permissions: listing('topic permissions', (o) => `${path('vhosts', o.vhost)}/topic-permissions`, ['user', 'exchange', 'write', 'read'], {}, (o) => ` for vhost "${o.vhost}"`),
  add_vhost: {
    args: '<vhost>',
    min: 1,
    max: 1,
    async run(ctx, [vhost]) {
      ctx.info(`Adding vhost "${vhost}" ...`);
      await ctx.api.put(path('vhosts', vhost));
    },
  },
  delete_vhost: {
    args: '<vhost>',
    min: 1,
    max: 1,
    async run(ctx, [vhost]) {
      ctx.info(`Deleting vhost "${vhost}" ...`);
      await ctx.api.del(path('vhosts', vhost));
    },
  },
  trace_on: traceCommand(true),
  trace_off: traceCommand(false),
  delete_queue: {
    args: '[-p <vhost>] <queue> [--if-empty] [--if-unused]',
    min: 1,
    max: 1,
    async run(ctx, [queue]) {
      const { vhost, ifEmpty, ifUnused } = ctx.opts;
      ctx.info(`Deleting queue '${queue}' on vhost '${vhost}' ...`);
      const messages = ((await ctx.api.get(path('queues', vhost, queue))) as Row).messages;
      const query = [ifEmpty ? 'if-empty=true' : '', ifUnused ? 'if-unused=true' : ''].filter((q) => q !== '').join('&');
      await ctx.api.del(`${path('queues', vhost, queue)}${query === '' ? '' : `?${query}`}`);
      ctx.info(`Queue was successfully deleted with ${String(messages)} messages`);
    },
  },
  purge_queue: {
    args: '[-p <vhost>] <queue>',
    min: 1,
    max: 1,
    async run(ctx, [queue]) {
      ctx.info(`Purging queue '${queue}' in vhost '${ctx.opts.vhost}' ...`);
      await ctx.api.del(`${path('queues', ctx.opts.vhost, queue)}/contents`);
    },
  },
  export_definitions: {
    args: '<file | ->',
    min: 1,
    max: 1,
    async run(ctx, [file]) {
      const defs = await ctx.api.get('/api/definitions');
      const text = `${JSON.stringify(defs, null, 2)}\n`;
      if (file === '-') return ctx.io.stdout(text);
      ctx.info(`Exporting definitions in JSON to a file at "${file}" ...`);
      await writeFile(file, text);
    },
  },
  export_messages: {
    args: '[-p <vhost>] <queue> <file | -> [<filter expression>]',
    min: 2,
    max: 3,
    async run(ctx, [queue, file, expression]) {
      const query = expression === undefined ? '' : `?expression=${encodeURIComponent(expression)}`;
      if (file !== '-') ctx.info(`Exporting the ready messages of queue '${queue}' in vhost '${ctx.opts.vhost}' to "${file}" ...`);
      const lines = await ctx.api.send('GET', `${path('queues', ctx.opts.vhost, queue)}/messages/export${query}`);
      if (file === '-') return ctx.io.stdout(lines);
      await writeFile(file, lines);
      ctx.info(`${lines.split('\n').filter((l) => l !== '').length} messages exported`);
    },
  },
  import_messages: {
    args: '[-p <vhost>] <exchange> <file | -> [<messages a second>]',
    min: 2,
    max: 3,
    async run(ctx, [exchange, file, rate]) {
      const perSecond = rateArg(rate);
      const lines = await readInput(ctx, file);
      ctx.info(`Importing messages from "${file}" into exchange '${exchange}' in vhost '${ctx.opts.vhost}' ...`);
      const query = perSecond === undefined ? '' : `?rate=${perSecond}`;
      const job = await ctx.api.send('POST', `${path('exchanges', ctx.opts.vhost, exchange === '' ? 'amq.default' : exchange)}/import${query}`, { text: lines, type: 'application/x-ndjson' });
      await followJob(ctx, JSON.parse(job), 'published');
    },
  },
  move_messages: {
    args: '[-p <vhost>] <queue> <target queue> [<messages a second>]',
    min: 2,
    max: 3,
    async run(ctx, [queue, target, rate]) {
      const perSecond = rateArg(rate);
      ctx.info(`Moving the ready messages of queue '${queue}' to queue '${target}' in vhost '${ctx.opts.vhost}' ...`);
      const job = await ctx.api.post(`${path('queues', ctx.opts.vhost, queue)}/messages/move`, { all: true, target: { queue: target }, rate: perSecond ?? 0 });
      await followJob(ctx, job, 'moved');
    },
  },
  import_definitions: {
    args: '<file | ->',
    min: 1,
    max: 1,
    async run(ctx, [file]) {
      ctx.info(`Importing definitions in JSON from a file at "${file}" ...`);
      const text = await readInput(ctx, file);
      let defs: unknown;
      try {
        defs = JSON.parse(text);
      } catch {
        throw new CtlError(`${file} is not JSON`, EXIT.dataErr);
      }
      await ctx.api.post('/api/definitions', defs);
      ctx.info('Successfully started definition import. This process is asynchronous and can take some time.');
    },
  },
};

/** A file's text, or standard input's for `-`. */
async function readInput(ctx: Ctx, file: string): Promise<string> {
  if (file === '-') return ctx.io.stdin();
  return readFile(file, 'utf8').catch((err: Error) => {
    throw new CtlError(`cannot read ${file}: ${err.message}`, EXIT.dataErr);
  });
}

/** A rate argument: messages a second, a whole number (its upper limit is the server's to say). */
function rateArg(rate: string | undefined): number | undefined {
  if (rate === undefined) return undefined;
  const n = Number(rate);
  if (!Number.isInteger(n) || n < 1) throw new CtlError(`rate must be a whole number of messages a second, not '${rate}'`, EXIT.usage);
  return n;
}

/** How often a running job's progress is asked for. */
const JOB_POLL_MS = 500;

/**
 * Follows a message job (move, import) until it ends, printing its progress as it goes; a job that
 * failed or was cancelled (from the console) is an error, its messages so far stay where they went.
 */
async function followJob(ctx: Ctx, started: unknown, verb: string): Promise<void> {
  let job = started as Row;
  let said = '';
  for (;;) {
    const total = typeof job.total === 'number' ? ` of ${String(job.total)}` : '';
    const line = `${String(job.done)}${total} ${verb}${Number(job.failed) > 0 ? `, ${String(job.failed)} refused` : ''}${Number(job.unroutable) > 0 ? `, ${String(job.unroutable)} unroutable` : ''}`;
    if (line !== said) ctx.info(line);
    said = line;
    if (job.state !== 'running') break;
    await new Promise((r) => setTimeout(r, JOB_POLL_MS));
    job = (await ctx.api.get(path('message-transfers', ctx.opts.vhost, String(job.id)))) as Row;
  }
  if (ctx.opts.formatter === 'json') ctx.io.stdout(`${JSON.stringify(job)}\n`);
  if (job.state === 'failed') throw new CtlError(`the job failed: ${String(job.first_error ?? 'no reason given')}`, EXIT.software);
  if (job.state === 'cancelled') throw new CtlError(`the job was cancelled after ${String(job.done)} messages`, EXIT.dataErr);
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name} ${c.args}`);
  return `Usage: warrenctl [options] <command> [<args>]

Talks to a running Warren's management API. Options may come anywhere on the line; \`--\` ends them.
  --url <url>             management API [WARREN_URL, default http://127.0.0.1:$PORT, PORT 15672]
  -u, --username <user>   [WARREN_USER, default guest]
  --password <password>   [WARREN_PASSWORD, default guest]
  -p, --vhost <vhost>     default /
  --formatter <f>         table (default) or json
  -q, --quiet             no info lines
  -s, --silent            no info lines and no table headers
  --no-table-headers
  --if-empty, --if-unused          for delete_queue
  --priority <n>, --apply-to <t>   for set_policy
  -h, --help              show this help

Commands:
${lines.join('\n')}
`;
}

/** Runs one warrenctl invocation; resolves to the exit code. */
export async function runCtl(argv: string[], io: CtlIo): Promise<number> {
  try {
    const { opts, command, args, help } = parseCtlArgs(argv, io.env);
    if (help) {
      io.stdout(usage());
      return EXIT.ok;
    }
    if (command === undefined || command === 'help') {
      io.stdout(usage());
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    const cmd = COMMANDS[command];
    if (cmd === undefined) throw new CtlError(`unknown command '${command}'\n\n${usage()}`, EXIT.usage);
    if (args.length < cmd.min || args.length > cmd.max) throw new CtlError(`usage: warrenctl ${command} ${cmd.args}`, EXIT.usage);
    const ctx: Ctx = {
      api: new ManagementClient({ baseUrl: opts.url, user: opts.user, password: opts.password }),
      opts,
      io,
      info: (line) => {
        if (!opts.quiet && opts.formatter === 'table') io.stdout(`${line}\n`);
      },
    };
    await cmd.run(ctx, args);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ArgError) {
      io.stderr(usageError('warrenctl', err.message, usage()));
      return EXIT_USAGE;
    }
    if (err instanceof CtlError) {
      io.stderr(`Error:\n${err.message}\n`);
      return err.code;
    }
    io.stderr(`Error:\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.software;
  }
}
