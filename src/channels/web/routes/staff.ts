import { Hono, type Context } from 'hono';
import { explain, parseQuestions, reportToCsv, runBatchInChunks } from '../../../admin/bench.ts';
import { CHANNEL_LABELS } from '../../../admin/conversations.ts';
import { dashboardCsv } from '../../../admin/dashboard-csv.ts';
import { loadDashboard } from '../../../admin/dashboard.ts';
import { TOPIC_LABELS } from '../../../knowledge/topics.ts';
import { badRequest } from '../errors.ts';
import type { WebEnv } from '../security.ts';
import { readJson, type WebServices } from '../services.ts';
import { dateRangeOf } from './report-query.ts';

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

  // The dashboard reads only the chosen days (the last seven by default): reading all retained
  // history would cost ~1 s per 100k exchanges.
  const dashboard = (c: Context) => {
    const at = now();
    return loadDashboard(services.store, services.core.engine.knowledge().facts, dateRangeOf(c, at), services.config.CONTEXT_TTL_MINUTES, at);
  };

  app.get('/dashboard', async (c) => c.json({ ...(await dashboard(c)), labels: TOPIC_LABELS, channelLabels: CHANNEL_LABELS }));

  app.get('/dashboard/csv', async (c) => {
    const report = await dashboard(c);
    return c.body(dashboardCsv(report), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="dashboard-${report.range.from}-${report.range.to}.csv"`,
    });
  });

  app.get('/topics', (c) => c.json({ labels: TOPIC_LABELS }));

  return app;
}
