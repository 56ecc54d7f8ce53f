/**
 * Prints, as Markdown, what a citizen sees for each command and a few typical exchanges, captured
 * from the real bot against telegram-test-api (the transcript in docs/telegram.md comes from here).
 *   npx tsx test/e2e/telegram/transcript.ts > /tmp/transcript.md
 */
import { bootCore } from '../../../src/bootstrap.ts';
import { BOT_ID, buttons, type BotMessage, startHarness, userOf } from './harness.ts';

const STAFF = -1001;
const ADMIN = 9001;

async function main(): Promise<void> {
  const core = await bootCore({ intentsDir: 'intents', dataDir: 'data' });
  // A scripted citizen is faster than flood control allows; the transcript shows the answers.
  const h = await startHarness(core, { STAFF_CHAT_ID: String(STAFF), HANDOFF_HOURS: '每天 00:00-24:00', ADMIN_IDS: String(ADMIN), FLOOD_MAX_MESSAGES: '100' });
  const out: string[] = [];
  const show = (who: string, said: string, replies: BotMessage[]) => {
    out.push(`**${who}:** ${said}`, '');
    for (const reply of replies) {
      out.push('```text', unescape(reply.text), '```');
      const keys = buttons(reply).map((button) => `[${button.text}]`);
      if (keys.length > 0) out.push(`按钮：${keys.join(' ')}`);
      out.push('');
    }
  };
  try {
    const citizen = userOf(h, { userId: 4242, firstName: '市民' });
    const staff = userOf(h, { userId: 501, chatId: STAFF, type: 'group', firstName: '值班员' });
    const admin = userOf(h, { userId: ADMIN });

    out.push('### 命令', '');
    for (const command of ['/start', '/help', '/menu', '/hotline']) {
      await citizen.command(command);
      show('市民', command, await citizen.replies());
    }

    out.push('### 提问、追问与评价', '');
    await citizen.say('法律援助怎么申请');
    const answer = await citizen.replies();
    show('市民', '法律援助怎么申请', answer);
    const followUp = buttons(answer.at(-1)).find((button) => button.callback_data.startsWith('i:'));
    if (followUp) {
      await citizen.press(followUp, answer.at(-1)?.message_id);
      show('市民', `（点按钮）${followUp.text}`, await citizen.replies());
    }
    await citizen.command('/feedback');
    const ask = await citizen.replies();
    show('市民', '/feedback', ask);
    const down = buttons(ask.at(-1)).find((button) => button.callback_data.startsWith('f:d:'));
    if (down) {
      await citizen.press(down, ask.at(-1)?.message_id);
      show('市民', `（点按钮）${down.text}`, await citizen.replies());
    }

    out.push('### 不是文字', '');
    await citizen.send({ voice: { file_id: 'v', duration: 2 } });
    show('市民', '（一段语音）', await citizen.replies());
    await citizen.send({ sticker: { file_id: 's', width: 1, height: 1 } });
    show('市民', '（一个贴纸）', await citizen.replies());

    out.push('### 转人工', '');
    await citizen.say('我电话是13812345678，老板拖欠工资怎么办');
    show('市民', '我电话是13812345678，老板拖欠工资怎么办', await citizen.replies());
    await citizen.say('转人工');
    show('市民', '转人工', await citizen.replies());
    const [forwarded] = await staff.replies();
    out.push('工作群收到：', '', '```text', unescape(forwarded?.text ?? ''), '```', '');
    await staff.say('您好，欠薪可以先找劳动监察部门，也可以拨打12348咨询。', {
      reply_to_message: { message_id: forwarded?.message_id, from: { id: BOT_ID, is_bot: true, first_name: 'Bot' }, chat: { id: STAFF, type: 'group' }, date: 0 },
    });
    show('工作人员（回复上面那条）', '您好，欠薪可以先找劳动监察部门，也可以拨打12348咨询。', await citizen.replies());
    out.push('工作群收到：', '', '```text', unescape((await staff.replies())[0]?.text ?? ''), '```', '');

    out.push('### 管理员命令', '');
    await citizen.command('/stats');
    show('市民（非管理员）', '/stats', await citizen.replies());
    for (const command of ['/reload', '/stats', '/unanswered']) {
      await admin.command(command);
      show('管理员', command, await admin.replies());
    }
    out.push('### 删除记录', '');
    await citizen.command('/forget');
    const forget = await citizen.replies();
    show('市民', '/forget', forget);
    const yes = buttons(forget.at(-1)).find((button) => button.callback_data === 'x:y');
    if (yes) {
      await citizen.press(yes, forget.at(-1)?.message_id);
      show('市民', `（点按钮）${yes.text}`, await citizen.replies());
    }

  } catch (error) {
    process.stderr.write(`${h.logLines.slice(-40).join('\n')}\n`);
    for (const call of h.proxy.calls) process.stderr.write(`${call.method} ${JSON.stringify(call.body).slice(0, 120)}\n`);
    process.stderr.write(`${out.join('\n').slice(0, 3000)}\n`);
    throw error;
  } finally {
    await h.close();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function unescape(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

await main();
