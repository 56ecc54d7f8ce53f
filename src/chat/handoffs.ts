import { DeliveryError, StateError } from '../admin/errors.ts';
import type { HandoffCase, HandoffMessage, RuntimeStore } from '../admin/ports.ts';
import { maskPersonalNumbers } from '../dialogue/mask.ts';
import { messages } from '../dialogue/messages.ts';
import type { Turn } from '../dialogue/types.ts';
import type { Logger } from '../lib/logger.ts';
import { withinServiceHours, type ServiceHours } from '../lib/service-hours.ts';

/**
 * The handoff desk (转人工), for every channel: decides honestly whether a person can answer,
 * opens a case the console's 在线咨询 page lists, keeps the citizen's later turns in it, and
 * carries staff replies and the close back to the citizen.
 *
 * - A reply is promised only within HANDOFF_HOURS and when someone can see the case: a console
 *   user seen in the last HANDOFF_STAFF_SEEN_MINUTES, or, for Telegram, the staff group.
 * - Everything stored is masked, staff replies too; the citizen receives what is stored.
 * - The web chat polls `updates` (the reply waits in the store); Telegram is pushed through
 *   `notify`, before the reply is stored, so the page never shows a reply the citizen never got.
 */

export type HandoffChannel = HandoffCase['channel'];
export type Availability = 'available' | 'off' | 'outside_hours' | 'no_staff';
export type HandoffOutcome =
  | { status: 'opened' | 'already_open'; text: string; handoff: HandoffCase }
  | { status: Exclude<Availability, 'available'>; text: string };
export type CitizenNotice = { kind: 'reply'; text: string } | { kind: 'closed'; text: string };

/** Longest staff reply (characters), and how many lines a case keeps taking from the citizen and bot. */
export const MAX_REPLY_CHARS = 2000;
const MAX_CASE_MESSAGES = 200;
const STORED_TURN_CHARS = 2000;

export interface HandoffDeskDeps {
  store: RuntimeStore;
  now: () => Date;
  hours: ServiceHours;
  staffSeenMinutes: number;
  /** STAFF_CHAT_ID is set: Telegram handoffs reach the staff group, so they count as staffed. */
  telegramStaffGroup: boolean;
  /** Pushes a staff reply or the close to a Telegram citizen; absent when Telegram is off. */
  notify?: (chatKey: string, notice: CitizenNotice) => Promise<void>;
  logger: Logger;
}

/** What `availability` decides, pure: hours first, then whether anyone can see the case. */
export function handoffAvailability(input: { channel: HandoffChannel; hours: ServiceHours; at: Date; staffOnline: boolean; telegramStaffGroup: boolean }): Availability {
  if (input.hours.windows.length === 0) return 'off';
  if (!withinServiceHours(input.hours, input.at)) return 'outside_hours';
  if (input.staffOnline || (input.channel === 'telegram' && input.telegramStaffGroup)) return 'available';
  return 'no_staff';
}

export function createHandoffDesk(deps: HandoffDeskDeps) {
  const { store } = deps;
  // Console users → when the 在线咨询 page last asked (in memory: after a restart the page's
  // next poll, seconds later, marks them again).
  const seen = new Map<string, number>();
  const iso = () => deps.now().toISOString();
  const mask = (text: string) => maskPersonalNumbers(text).slice(0, STORED_TURN_CHARS);

  const onlineStaff = (): string[] => {
    const since = deps.now().getTime() - deps.staffSeenMinutes * 60_000;
    return [...seen].filter(([, at]) => at >= since).map(([user]) => user);
  };
  const availability = (channel: HandoffChannel): Availability =>
    handoffAvailability({ channel, hours: deps.hours, at: deps.now(), staffOnline: onlineStaff().length > 0, telegramStaffGroup: deps.telegramStaffGroup });
  const openCaseOf = async (chatKey: string) => (await store.openHandoffCases()).filter((item) => item.chatKey === chatKey).at(-1);
  const openCase = async (id: string) => {
    const found = (await store.openHandoffCases()).find((item) => item.id === id);
    return found ?? failState('这次咨询已经结束或已被市民删除，请刷新页面。');
  };

  return {
    availability,

    /** The citizen asked for a person: open a case when someone can answer, else say who can. */
    async request(channel: HandoffChannel, chatKey: string, earlier: Turn[], asked: string): Promise<HandoffOutcome> {
      const status = availability(channel);
      if (status !== 'available') return { status, text: unavailableText(status, deps.hours) };
      const asking: HandoffMessage = { at: iso(), from: 'citizen', text: mask(asked) };
      const existing = await openCaseOf(chatKey);
      if (existing) {
        const handoff = (await store.addHandoffMessages(existing.id, [asking])) ?? existing;
        return { status: 'already_open', text: messages.handoff.alreadyOpen, handoff };
      }
      const context = earlier.map((turn): HandoffMessage => ({ at: turn.at, from: turn.role === 'user' ? 'citizen' : 'bot', text: mask(turn.text) }));
      const handoff = await store.openHandoffCase({ chatKey, channel, openedAt: asking.at, messages: [...context, asking] });
      deps.logger.info('handoff case opened', { id: handoff.id, channel });
      return { status: 'opened', text: messages.handoff.opened(channel), handoff };
    },

    /** A later turn of a chat with an open case: staff see what the citizen added and what the bot said. */
    async noteTurn(chatKey: string, citizen: string, bot: string): Promise<void> {
      const open = await openCaseOf(chatKey);
      if (!open || open.messages.length >= MAX_CASE_MESSAGES) return;
      const at = iso();
      await store.addHandoffMessages(open.id, [
        { at, from: 'citizen', text: mask(citizen) },
        { at, from: 'bot', text: mask(bot).slice(0, 300) },
      ]);
    },

    /** A reply typed in the Telegram staff group (already delivered there): keep it in the case. */
    async noteStaffReply(chatKey: string, text: string, by: string): Promise<void> {
      const open = await openCaseOf(chatKey);
      if (open) await store.addHandoffMessages(open.id, [{ at: iso(), from: 'staff', text: mask(text), by }]);
    },

    /** A console user has the 在线咨询 page open. */
    staffSeen(user: string): void {
      seen.set(user, deps.now().getTime());
    },

    /** The 在线咨询 page: open cases newest first, and what citizens are told right now. */
    async board() {
      const now = deps.now();
      const cases = (await store.openHandoffCases()).reverse().map((item) => caseView(item, now));
      // Telegram is off when nothing can push to it (no BOT_TOKEN).
      return { hours: deps.hours.text, staffOnline: onlineStaff(), web: availability('web'), telegram: deps.notify ? availability('telegram') : null, cases };
    },

    /** A staff reply from the console; stored (masked) before it resolves. */
    async reply(id: string, by: string, text: string): Promise<HandoffMessage> {
      const trimmed = text.trim();
      if (!trimmed) failState('请填写回复内容');
      if ([...trimmed].length > MAX_REPLY_CHARS) failState(`回复太长（上限 ${MAX_REPLY_CHARS} 字），请分成几条发送`);
      const handoff = await openCase(id);
      const message: HandoffMessage = { at: iso(), from: 'staff', text: maskPersonalNumbers(trimmed), by };
      if (handoff.channel === 'telegram') await push(handoff.chatKey, { kind: 'reply', text: message.text });
      if (!(await store.addHandoffMessages(id, [message]))) failState('这次咨询刚刚已经结束，回复没有保存。');
      return message;
    },

    /** 已结束: the case leaves the board and the citizen is told. */
    async close(id: string, by: string): Promise<void> {
      const closed = await store.closeHandoffCase(id, { at: iso(), by });
      if (!closed) failState('这次咨询已经结束或已被市民删除，请刷新页面。');
      if (closed.channel !== 'telegram') return; // the web chat learns it from its next poll
      await push(closed.chatKey, { kind: 'closed', text: messages.handoff.closed }).catch((error: unknown) =>
        deps.logger.warn('handoff close notice not delivered', { id, error }),
      );
    },

    /**
     * What the web chat has not shown yet: staff replies and the close of its case. `after` is the
     * position the page last read (`<case id>.<events seen>`); without it, the open case from the
     * start. Events are the case's messages plus its close, so a close is reported once.
     */
    async updates(chatKey: string, after: string | undefined) {
      const cursor = /^([0-9a-z-]{1,40})\.(\d{1,6})$/.exec(after ?? '');
      const open = await openCaseOf(chatKey);
      let current: HandoffCase | undefined = open;
      let read = cursor && cursor[1] === open?.id ? Number(cursor[2]) : 0;
      if (cursor && cursor[1] !== open?.id) {
        const earlier = await store.findHandoffCase(cursor[1]!);
        // Only the chat's own case; a closed one is read to its end before a newer one starts.
        if (earlier?.chatKey === chatKey && (earlier.closedAt === undefined || Number(cursor[2]) <= earlier.messages.length)) {
          current = earlier;
          read = Number(cursor[2]);
        }
      }
      if (!current) return { handoff: null, messages: [], after: null };
      const closed = current.closedAt !== undefined;
      const events = current.messages.length + (closed ? 1 : 0);
      const replies = current.messages.slice(read).filter((message) => message.from === 'staff').map(({ at, text }) => ({ at, text }));
      return {
        handoff: { id: current.id, open: !closed, ...(closed && read < events ? { notice: messages.handoff.closed } : {}) },
        messages: replies,
        after: `${current.id}.${events}`,
      };
    },
  };

  async function push(chatKey: string, notice: CitizenNotice): Promise<void> {
    if (!deps.notify) throw new DeliveryError('Telegram 渠道现在没有启用，回复发不到这位市民，没有保存。请让市民拨打12348。');
    try {
      await deps.notify(chatKey, notice);
    } catch (error) {
      throw new DeliveryError('没能把回复发到市民的 Telegram（对方可能已停用机器人），回复没有保存。请稍后再试，或请市民拨打12348。', { cause: error });
    }
  }
}

export type HandoffDesk = ReturnType<typeof createHandoffDesk>;

function failState(message: string): never {
  throw new StateError(message);
}

function unavailableText(status: Exclude<Availability, 'available'>, hours: ServiceHours): string {
  if (status === 'outside_hours') return messages.handoff.outsideHours(hours.text);
  return status === 'off' ? messages.handoff.off : messages.handoff.noStaff;
}

/**
 * A case as the 在线咨询 page shows it. The web chat's key is its cookie, which would let a
 * reader act as the citizen, so the page gets a short reference instead; Telegram's chat id is
 * what the staff group already shows.
 */
function caseView(item: HandoffCase, now: Date) {
  const lastStaff = item.messages.map((message) => message.from).lastIndexOf('staff');
  const waitingFrom = lastStaff < 0 ? item.openedAt : item.messages.slice(lastStaff + 1).find((message) => message.from === 'citizen')?.at;
  return {
    id: item.id,
    channel: item.channel,
    ref: item.channel === 'telegram' ? item.chatKey.slice(item.chatKey.indexOf(':') + 1) : item.id.slice(-4),
    openedAt: item.openedAt,
    /** Minutes the citizen has waited for a staff answer; null once staff answered their last message. */
    waitingMinutes: waitingFrom === undefined ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(waitingFrom)) / 60_000)),
    messages: item.messages,
  };
}
