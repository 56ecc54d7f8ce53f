import { Client, sleep, type ChatResponse } from './http.ts';
import { createProject, startServer, type RunningServer } from './server.ts';
import { createRandom, percentile, questions, round, throughputByQuarter, type Random } from './stats.ts';
import { STAFF_CHAT_ID, startEmulator, telegramUser, type Arrival, type Emulator } from './telegram-users.ts';

/**
 * Load through the real paths: many Telegram users on the Bot API emulator, then many web chat
 * sessions, against one server process. Every step waits for its answer before the next, as a
 * person would; all users run at once.
 */

export interface LoadOptions {
  telegramUsers: number;
  telegramMessages: number;
  webSessions: number;
  webMessages: number;
  seed: number;
  log?: (line: string) => void;
}

export interface ChannelLoad {
  users: number;
  messagesPerUser: number;
  /** Steps that should get an answer (a message, or the 👍 toast) and those that got it. */
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers per second in each quarter of the run. */
  throughputByQuarter: number[];
  seconds: number;
  examples: string[];
}

export interface LoadResult {
  telegram?: ChannelLoad & {
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
  };
  web?: ChannelLoad;
  /** VmHWM of the server process, sampled every second (so a server that dies still has one). */
  peakRssMiB?: number;
  /** Set when the server process ended during the run: how, and its last output. */
  serverDied?: { exit: number | string; output: string };
}

const REPLY_TIMEOUT_MS = 30_000;
/** After the first message of an answer, how long to keep collecting the rest of it. */
const SETTLE_MS = 150;

export async function loadTest(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined);
  const project = await createProject('reliability-load-');
  const emulator = await startEmulator();
  const server = await startServer({ env: { ...project.env, ...emulator.env } });
  const result: LoadResult = {};
  let peakKiB = 0;
  const sampler = setInterval(() => {
    void server.peakRssKiB().then((kib) => (peakKiB = Math.max(peakKiB, kib ?? 0)));
  }, 1000);
  let stopping = false;
  void server.exited.then((exit) => {
    if (!stopping) result.serverDied = { exit, output: server.output().slice(-2000) };
  });
  try {
    await warmUp(emulator);
    if (options.telegramUsers > 0) {
      log(`load: ${options.telegramUsers} Telegram users × ${options.telegramMessages}`);
      result.telegram = await telegramLoad(emulator, options);
    }
    if (options.webSessions > 0) {
      log(`load: ${options.webSessions} web sessions × ${options.webMessages}`);
      result.web = await webLoad(server, options);
    }
    peakKiB = Math.max(peakKiB, (await server.peakRssKiB()) ?? 0);
    result.peakRssMiB = Math.round(peakKiB / 1024);
  } finally {
    clearInterval(sampler);
    stopping = true;
    await server.stop();
    await emulator.close();
    await project.remove();
  }
  return result;
}

/** The bot starts polling after the server says it is listening; wait for its first answer. */
async function warmUp(emulator: Emulator): Promise<void> {
  const user = telegramUser(emulator, 999_999);
  await user.command('/start');
  const deadline = Date.now() + 60_000;
  while (user.inbox().length === 0) {
    if (Date.now() > deadline) throw new Error('the bot never answered /start through the emulator');
    await sleep(50);
  }
}

type Step = 'question' | 'button' | 'thumbsUp' | 'feedbackCommand' | 'handoff';

async function telegramLoad(emulator: Emulator, options: LoadOptions): Promise<NonNullable<LoadResult['telegram']>> {
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

async function webLoad(server: RunningServer, options: LoadOptions): Promise<ChannelLoad> {
  const latencies: number[] = [];
  const doneAt: number[] = [];
  const examples: string[] = [];
  const ids = new Set<string>();
  let expected = 0;
  let received = 0;
  let duplicated = 0;

  const runSession = async (index: number) => {
    const random = createRandom(options.seed * 7919 + index);
    const client = new Client(server.url);
    const pool = questions();
    let last: ChatResponse | undefined;
    for (let turn = 0; turn < options.webMessages; turn += 1) {
      const roll = random.next();
      const suggestion = last?.reply?.suggestions?.length ? random.pick(last.reply.suggestions) : undefined;
      expected += 1;
      if (roll < 0.15 && last?.exchangeId) {
        const rated = await client.request('POST', '/api/chat/feedback', { json: { exchangeId: last.exchangeId, value: 'up' }, timeoutMs: REPLY_TIMEOUT_MS });
        if (rated.status === 200) {
          received += 1;
          latencies.push(rated.ms);
          doneAt.push(performance.now());
        } else if (examples.length < 5) examples.push(`feedback → ${rated.status} ${rated.error ?? ''}`);
        continue;
      }
      const body = roll < 0.3 && suggestion ? { intent: suggestion.intent } : { text: random.pick(pool) };
      const answer = await client.request<ChatResponse>('POST', '/api/chat', { json: body, timeoutMs: REPLY_TIMEOUT_MS });
      const id = answer.body?.exchangeId;
      if (answer.status !== 200 || !id) {
        if (examples.length < 5) examples.push(`chat → ${answer.status} ${answer.error ?? ''}`);
        continue;
      }
      received += 1;
      if (ids.has(id)) duplicated += 1;
      ids.add(id);
      latencies.push(answer.ms);
      doneAt.push(performance.now());
      last = answer.body;
    }
    client.close();
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: options.webSessions }, (_, index) => runSession(index)));
  const ended = performance.now();
  return summarise(options.webSessions, options.webMessages, expected, received, duplicated, latencies, doneAt, started, ended, examples);
}

function summarise(
  users: number,
  messagesPerUser: number,
  expected: number,
  received: number,
  duplicated: number,
  latencies: number[],
  doneAt: number[],
  started: number,
  ended: number,
  examples: string[],
): ChannelLoad {
  return {
    users,
    messagesPerUser,
    expected,
    received,
    lost: expected - received,
    duplicated,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(0, ...latencies)),
    throughputByQuarter: throughputByQuarter(doneAt, started, ended),
    seconds: round((ended - started) / 1000),
    examples,
  };
}
