import { Hono } from 'hono';
import { listConversations, openConversation } from '../../../admin/conversation-log.ts';
import { CHANNEL_LABELS, type Channel, type Outcome } from '../../../admin/conversations.ts';
import { TOPICS, TOPIC_LABELS } from '../../../knowledge/topics.ts';
import type { WebEnv } from '../security.ts';
import type { WebServices } from '../services.ts';
import { dateRangeOf, oneOf, positiveOf } from './report-query.ts';

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
const CHANNELS = Object.keys(CHANNEL_LABELS) as Channel[];
const OUTCOMES: readonly Outcome[] = ['handoff', 'down', 'missed'];

/** 对话记录 for staff and admins: a page of conversations, and one as a transcript. Read-only. */
export function conversationRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();
  const now = services.now ?? (() => new Date());
  const ttl = services.config.CONTEXT_TTL_MINUTES;

  app.get('/', async (c) => {
    const range = dateRangeOf(c, now());
    const filter = {
      channel: oneOf(c.req.query('channel'), CHANNELS, '渠道无效'),
      topic: oneOf(c.req.query('topic'), TOPICS, '主题无效'),
      outcome: oneOf(c.req.query('outcome'), OUTCOMES, '筛选条件无效'),
    };
    const page = positiveOf(c.req.query('page'), 1, '页码无效');
    const size = Math.min(positiveOf(c.req.query('size'), DEFAULT_PAGE_SIZE, '每页条数无效'), MAX_PAGE_SIZE);
    const result = await listConversations(services.store, { range, filter, page, size }, ttl);
    return c.json({ ...result, range, ttlMinutes: ttl, labels: TOPIC_LABELS, channelLabels: CHANNEL_LABELS });
  });

  app.get('/:id', async (c) => {
    const transcript = await openConversation(services.store, c.req.param('id'), ttl);
    if (!transcript) return c.json({ error: '找不到这段对话（可能已被删除或超过保存期限）' }, 404);
    return c.json({ ...transcript, labels: TOPIC_LABELS, channelLabels: CHANNEL_LABELS });
  });

  return app;
}
