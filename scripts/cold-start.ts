/**
 * Child process for `npm run bench`: boots the engine from disk and answers one question,
 * then prints the time since the process started (what a restart costs a waiting citizen).
 */
import { bootCore } from '../src/bootstrap.ts';

const core = await bootCore({ intentsDir: 'intents', dataDir: 'data' });
const { reply } = core.engine.respond({ kind: 'text', text: '我想申请法律援助，要带什么材料？' }, undefined);
process.stdout.write(`${JSON.stringify({ coldStartMs: performance.now(), intent: reply.intent })}\n`);
