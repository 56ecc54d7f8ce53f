import type { RuntimeStore } from '../admin/ports.ts';
import type { Logger } from '../lib/logger.ts';

/**
 * The housekeeping every runtime store runs while it is open, whatever it keeps its data in:
 * the retention purge (once at opening, then daily) and the expiry of sessions silent longer
 * than the context TTL (at least every 10 minutes). Timers are unref'd, so they never keep a
 * process alive; `stop` is for the store's close().
 */
export async function startStoreMaintenance(
  store: Pick<RuntimeStore, 'purgeOlderThan' | 'expireSessions'>,
  options: { retentionDays?: number; sessionTtlMs: number; logger: Logger },
): Promise<{ stop(): void }> {
  const { retentionDays, logger } = options;
  const purge = async () => {
    if (retentionDays === undefined) return;
    try {
      const removed = await store.purgeOlderThan(retentionDays);
      if (removed > 0) logger.info('retention purge', { removed, days: retentionDays });
    } catch (error) {
      logger.error('retention purge failed', { error });
    }
  };
  await purge();
  const purger = setInterval(() => void purge(), 86_400_000);
  purger.unref();
  const sweeper = setInterval(() => {
    store.expireSessions().catch((error: unknown) => logger.error('session expiry failed', { error }));
  }, Math.min(options.sessionTtlMs, 10 * 60_000));
  sweeper.unref();
  return {
    stop() {
      clearInterval(purger);
      clearInterval(sweeper);
    },
  };
}
