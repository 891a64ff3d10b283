// `npm run ctl -- <command> [args]`: rabbitmqctl's everyday commands against a running Warren.
import { runCtl } from '../lib/management/ctl';

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

runCtl(process.argv.slice(2), {
  env: process.env,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdin: readStdin,
}).then((code) => {
  process.exitCode = code;
});
