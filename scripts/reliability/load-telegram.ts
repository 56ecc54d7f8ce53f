import { sleep } from './http.ts';
import type { LoadOptions } from './load.ts';
import { REPLY_TIMEOUT_MS, summarise, type ChannelLoad } from './load-summary.ts';
import { createRandom, questions, type Random } from './stats.ts';
import { STAFF_CHAT_ID, telegramUser, type Arrival, type Emulator } from './telegram-users.ts';

/**
 * Telegram citizens on the Bot API emulator: questions, inline buttons, 👍, /feedback and a few
 * 转人工. Each step waits for its answer (a message, or the toast of a 👍) before the next.
 */

export interface TelegramLoad extends ChannelLoad {
  /** 转人工 sent, and how many of them reached the staff group naming the citizen's chat. */
  handoffs: number;
  handoffsDelivered: number;
  /** All messages to the staff group (questions can ask for a person too). */
  staffMessages: number;
  /** Messages after a 👍, which should only show a toast. */
  unexpectedMessages: number;
  /** Users who lost an answer; their later duplicates are not counted (late answers look alike). */
  usersWithLoss: number;
  steps: Record<string, number>;
}

/** After the first message of an answer, how long to keep collecting the rest of it. */
const SETTLE_MS = 150;

type Step = 'question' | 'button' | 'thumbsUp' | 'feedbackCommand' | 'handoff';

export async function telegramLoad(emulator: Emulator, options: LoadOptions): Promise<TelegramLoad> {
  const latencies: number[] = [];
  const doneAt: number[] = [];
  const examples: string[] = [];
  const steps: Record<Step, number> = { question: 0, button: 0, thumbsUp: 0, feedbackCommand: 0, handoff: 0 };
  let expected = 0;
  let received = 0;
  let duplicated = 0;
  let unexpectedMessages = 0;
  let handoffsDelivered = 0;
  const usersWithLoss = new Set<number>();
  const staffBefore = emulator.inbox(STAFF_CHAT_ID).length;
  // A few handoffs in the whole run (about 1 in 50 users), not one per user.
  const handoffEvery = 50;

  const runUser = async (index: number) => {
    // Once an answer is lost, a late copy of it would look like a duplicate or an unexpected
    // message in a later step: from then on this user's duplicates are not counted.
    let desynced = false;
    const random = createRandom(options.seed * 1000 + index);
    const user = telegramUser(emulator, 2_000_000 + index);
    const pool = questions();
    for (let turn = 0; turn < options.telegramMessages; turn += 1) {
      const inbox = user.inbox();
      const before = inbox.length;
      const last = lastWithButtons(inbox);
      let step: Step = turn === 0 ? 'question' : pickStep(random);
      if (turn === 1 && index % handoffEvery === 0) step = 'handoff';
      const intentButton = last?.buttons.filter((button) => /^[ic]:/.test(button.callback_data)) ?? [];
      const upButton = last?.buttons.find((button) => button.callback_data.startsWith('f:u:'));
      if (step === 'button' && intentButton.length === 0) step = 'question';
      if (step === 'thumbsUp' && !upButton) step = 'question';
      steps[step] += 1;
      expected += 1;
      const sentAt = performance.now();
      const staffInbox = emulator.inbox(STAFF_CHAT_ID);
      const staffSeen = staffInbox.length;
      let callbackId: string | undefined;
      try {
        if (step === 'question') await user.say(random.pick(pool));
        else if (step === 'handoff') await user.say('转人工');
        else if (step === 'feedbackCommand') await user.command('/feedback');
        else if (step === 'button') callbackId = await user.press(random.pick(intentButton).callback_data, last!.message.message_id);
        else callbackId = await user.press(upButton!.callback_data, last!.message.message_id);
      } catch (error) {
        if (examples.length < 5) examples.push(`send failed: ${String(error).slice(0, 200)}`);
        continue;
      }

      if (step === 'thumbsUp') {
        // The answer to 👍 is the toast (answerCallbackQuery), not a message.
        const acks = await waitFor(() => (callbackId ? emulator.acknowledgements(callbackId) : []), (list) => list.length > 0);
        if (acks.length > 0) {
          received += 1;
          latencies.push(acks[0]! - sentAt);
          doneAt.push(acks[0]!);
          await sleep(SETTLE_MS);
          if (!desynced) {
            duplicated += emulator.acknowledgements(callbackId!).length - 1;
            unexpectedMessages += inbox.length - before;
          }
        } else {
          desynced = true;
          usersWithLoss.add(index);
          if (examples.length < 5) examples.push(`no toast for 👍 (user ${user.userId}, turn ${turn})`);
        }
        continue;
      }
      const arrived = await waitFor(() => inbox.length, (count) => count > before);
      if (arrived <= before) {
        desynced = true;
        usersWithLoss.add(index);
        if (examples.length < 5) examples.push(`no answer to ${step} (user ${user.userId}, turn ${turn})`);
        continue;
      }
      received += 1;
      const first = inbox[before]!;
      latencies.push(first.at - sentAt);
      doneAt.push(first.at);
      await sleep(SETTLE_MS);
      if (!desynced) duplicated += duplicates(inbox.slice(before));
      if (step === 'handoff') {
        const mine = (arrival: Arrival) => arrival.message.text.includes(`telegram:${user.userId}`);
        const delivered = await waitFor(() => staffInbox.slice(staffSeen).filter(mine).length, (count) => count > 0);
        if (delivered > 0) handoffsDelivered += 1;
        else if (examples.length < 5) examples.push(`handoff of user ${user.userId} never reached the staff group`);
      }
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: options.telegramUsers }, (_, index) => runUser(index)));
  const ended = performance.now();
  // Staff messages may trail the citizen's confirmation a little.
  await sleep(300);
  const staffMessages = emulator.inbox(STAFF_CHAT_ID).length - staffBefore;
  return {
    ...summarise(options.telegramUsers, options.telegramMessages, expected, received, duplicated, latencies, doneAt, started, ended, examples),
    handoffs: steps.handoff,
    handoffsDelivered,
    usersWithLoss: usersWithLoss.size,
    staffMessages,
    unexpectedMessages,
    steps,
  };
}

function pickStep(random: Random): Step {
  const roll = random.next();
  if (roll < 0.5) return 'question';
  if (roll < 0.75) return 'button';
  if (roll < 0.9) return 'thumbsUp';
  return 'feedbackCommand';
}

function lastWithButtons(inbox: Arrival[]) {
  for (let index = inbox.length - 1; index >= 0; index -= 1) {
    const message = inbox[index]!.message;
    const buttons = message.reply_markup?.inline_keyboard?.flat() ?? [];
    if (buttons.length > 0) return { message, buttons };
  }
  return undefined;
}

/** The same text twice in one answer: the bot handled one update twice. */
function duplicates(group: Arrival[]): number {
  const seen = new Set<string>();
  let count = 0;
  for (const { message } of group) {
    if (seen.has(message.text)) count += 1;
    seen.add(message.text);
  }
  return count;
}

async function waitFor<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  const deadline = performance.now() + REPLY_TIMEOUT_MS;
  for (;;) {
    const value = read();
    if (done(value) || performance.now() > deadline) return value;
    await sleep(10);
  }
}
