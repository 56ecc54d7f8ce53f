/**
 * Manual smoke test of `npm start` with Telegram on: runs src/main.ts as a child process against
 * the emulator, asks one question, sends SIGTERM and reports the exit code.
 *   npx tsx test/e2e/telegram/smoke-main.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { startApiProxy } from './api-proxy.ts';
import { freePort } from './harness.ts';

const TOKEN = '123456:SMOKE';
const server = new TelegramServer({ port: await freePort(), host: '127.0.0.1' });
await server.start();
const proxy = await startApiProxy(server.config.apiURL);
const runtime = await mkdtemp(path.join(tmpdir(), 'tg-smoke-'));
const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
  env: { ...process.env, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: proxy.url, RUNTIME_DIR: runtime, PORT: '0', LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (chunk) => (output += chunk));
child.stderr.on('data', (chunk) => (output += chunk));
const client = server.getClient(TOKEN, { userId: 77, chatId: 77, timeout: 30_000 });
await client.sendMessage(client.makeMessage('法律援助怎么申请'));
const updates = await client.getUpdates();
console.log('reply:', JSON.stringify(updates.result[0]?.message.text).slice(0, 80));
child.kill('SIGTERM');
const code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
console.log('exit code:', code);
console.log(output.split('\n').filter((line) => /stop|Telegram|flush/i.test(line)).join('\n'));
await proxy.close();
await server.stop();
