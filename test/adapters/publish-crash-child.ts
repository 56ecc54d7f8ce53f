/**
 * Child process of publish-crash.test.ts: applies one publish with the real knowledge writer and
 * SIGKILLs itself right after step `killAt` (0: never; it then prints how many steps there were).
 * Usage: node --import tsx publish-crash-child.ts <root> <plan.json> <killAt>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKnowledgeWriter } from '../../src/adapters/knowledge-writer.ts';
import type { FileChanges, HistoryRecord } from '../../src/admin/publish-ports.ts';

const [root, planFile, killAtText] = process.argv.slice(2);
if (!root || !planFile || killAtText === undefined) {
  process.stderr.write('usage: publish-crash-child.ts <root> <plan.json> <killAt>\n');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { changes: FileChanges; record: HistoryRecord };
const killAt = Number(killAtText);
let step = 0;

const writer = createKnowledgeWriter(
  { intentsDir: join(root, 'intents'), dataDir: join(root, 'data'), historyDir: join(root, 'runtime', 'history') },
  {
    onStep(name) {
      step += 1;
      process.stdout.write(`step ${step} ${name}\n`);
      if (step === killAt) process.kill(process.pid, 'SIGKILL');
    },
  },
);
await writer.apply(plan.changes, { add: plan.record });
process.stdout.write(`done ${step}\n`);
