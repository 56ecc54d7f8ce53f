import { Hono } from 'hono';
import { explain, parseQuestions, reportToCsv, runBatchInChunks } from '../../../admin/bench.ts';
import { dashboardStats } from '../../../admin/stats.ts';
import { TOPIC_LABELS } from '../../../knowledge/topics.ts';
import { badRequest } from '../errors.ts';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';

/** Staff (and admins): the test bench and the dashboard. Read-only for the knowledge. */
export function staffRoutes(services: WebServices) {
  const app = new Hono<WebEnv>();
  const now = services.now ?? (() => new Date());
  const engineFor = (draft: unknown) => (draft === true ? services.publisher.draftEngine() : Promise.resolve(services.core.engine));

  app.post('/ask', async (c) => {
    const body = await readJson(c.req);
    const text = typeof body.text === 'string' ? body.text.slice(0, 1000) : '';
    if (!text.trim()) badRequest('请输入问题');
    const engine = await engineFor(body.draft);
    const { reply, trace } = explain(engine, text, now());
    const kb = engine === services.core.engine ? services.core.engine.knowledge() : services.drafts.kb();
    // The trace names facts by id; staff also want to read them and see where they come from.
    const facts = trace.facts.map((used) => {
      const fact = kb.facts.find((candidate) => candidate.id === used.id);
      const source = kb.sources.find((candidate) => candidate.id === fact?.source.id);
      return { ...used, text: fact?.text, title: source?.title, section: fact?.source.section, asOf: fact?.asOf };
    });
    return c.json({ reply, trace, facts, draft: body.draft === true });
  });

  app.post('/batch', async (c) => {
    const body = await readJson(c.req);
    if (typeof body.content !== 'string' || !body.content.trim()) badRequest('请上传 CSV 或 JSONL 文件');
    const { questions, problems } = parseQuestions(body.content as string, typeof body.filename === 'string' ? body.filename : '');
    if (questions.length === 0) return c.json({ error: '文件里没有可读的问题', problems }, 422);
    // In chunks: chat requests keep being answered while a large file is scored.
    const report = await runBatchInChunks(await engineFor(body.draft), questions, now());
    return c.json({ ...report, problems, csv: reportToCsv(report), draft: body.draft === true });
  });

  app.get('/dashboard', async (c) => {
    // The dashboard charts the last weeks; reading all retained history would cost ~1 s per 100k.
    const since = new Date(now().getTime() - 30 * 24 * 60 * 60 * 1000);
    const [exchanges, feedback] = await Promise.all([services.store.exchanges({ since }), services.store.feedback()]);
    const stats = dashboardStats(exchanges, feedback, services.core.engine.knowledge().facts, now());
    return c.json({ ...stats, labels: TOPIC_LABELS });
  });

  app.get('/topics', (c) => c.json({ labels: TOPIC_LABELS }));

  return app;
}
