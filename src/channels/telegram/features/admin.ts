import { reloadKnowledge } from '../../../admin/publish.ts';
import { dashboardStats } from '../../../admin/stats.ts';
import { createLabels } from '../../../knowledge/labels.ts';
import { formatIssue } from '../../../lib/issues.ts';
import type { ChatApi, FeatureDeps } from '../ports.ts';
import { renderText } from '../render.ts';
import { TEXTS } from '../texts.ts';

const STATS_DAYS = 30;
const LIST_LIMIT = 10;

/** /reload, /stats, /unanswered — for ADMIN_IDS only; anyone else is refused politely. */
export function createAdmin(deps: FeatureDeps) {
  const isAdmin = (userId: number) => deps.config.ADMIN_IDS.includes(userId);

  const commands: Record<string, (api: ChatApi, chatId: number) => Promise<void>> = {
    async reload(api, chatId) {
      const result = await reloadKnowledge(deps.core, deps.knowledgeQueue);
      if (result.ok) {
        const lines = [TEXTS.admin.reloadOk(result.version, result.warnings.length), ...listed(result.warnings.map(formatIssue))];
        deps.logger.info('knowledge reloaded from Telegram', { version: result.version, warnings: result.warnings.length });
        await api.send(chatId, renderText(lines.join('\n')));
        return;
      }
      deps.logger.warn('reload refused: invalid knowledge', { issues: result.issues.length });
      const lines = [TEXTS.admin.reloadFailed(result.issues.length), ...listed(result.issues.map(formatIssue))];
      await api.send(chatId, renderText(lines.join('\n')));
    },

    async stats(api, chatId) {
      const now = deps.now();
      const since = new Date(now.getTime() - STATS_DAYS * 86_400_000);
      const exchanges = await deps.store.exchanges({ since });
      const feedback = (await deps.store.feedback()).filter((item) => new Date(item.at) >= since);
      const stats = dashboardStats(exchanges, feedback, [], now, STATS_DAYS);
      const labels = createLabels(deps.core.engine.knowledge().intents);
      const lines = [
        TEXTS.admin.statsTitle(STATS_DAYS),
        `${TEXTS.admin.statsMessages}：${stats.total}`,
        `${TEXTS.admin.statsFallback}：${(stats.fallbackRate * 100).toFixed(1)}%`,
        `${TEXTS.admin.statsFeedback}：👍 ${stats.feedback.up}  👎 ${stats.feedback.down}`,
        `${TEXTS.admin.statsTopics}：`,
        ...stats.topics.slice(0, 16).map((item) => `· ${labels.topicWithId(item.topic)}：${item.count}`),
      ];
      await api.send(chatId, renderText(lines.join('\n')));
    },

    async unanswered(api, chatId) {
      const now = deps.now();
      const since = new Date(now.getTime() - STATS_DAYS * 86_400_000);
      const misses = (await deps.store.exchanges({ since })).filter((exchange) => exchange.intent === 'none').slice(-LIST_LIMIT).reverse();
      if (misses.length === 0) {
        await api.send(chatId, renderText(TEXTS.admin.unansweredNone));
        return;
      }
      // The record says only "not understood"; the closest intent (asked again, nothing stored)
      // tells the admin where an example would help; the score shows how far off it was.
      const engine = deps.core.engine;
      const labels = createLabels(engine.knowledge().intents);
      const lines: string[] = [TEXTS.admin.unansweredTitle];
      for (const exchange of misses) {
        lines.push(`· ${exchange.at.slice(0, 16).replace('T', ' ')}  ${exchange.text.slice(0, 200)}`);
        const closest = engine.respond({ kind: 'text', text: exchange.text }, undefined, now).trace.ranked[0];
        if (closest && closest.score > 0) lines.push(`  ${TEXTS.admin.unansweredClosest(labels.intentWithId(closest.intent), closest.score)}`);
      }
      await api.send(chatId, renderText(lines.join('\n')));
    },
  };

  return {
    handles: (name: string) => Object.hasOwn(commands, name),
    async run(api: ChatApi, name: string, chatId: number, userId: number): Promise<void> {
      const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
      if (!command) return;
      if (!isAdmin(userId)) {
        deps.logger.warn('admin command refused', { command: name, userId });
        await api.send(chatId, renderText(TEXTS.admin.refused));
        return;
      }
      await command(api, chatId);
    },
  };
}

function listed(lines: string[]): string[] {
  const shown = lines.slice(0, LIST_LIMIT);
  return lines.length > LIST_LIMIT ? [...shown, TEXTS.admin.more(lines.length - LIST_LIMIT)] : shown;
}
