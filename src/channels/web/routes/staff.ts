import { Hono, type Context } from 'hono';
import { explain, parseQuestions, reportToCsv, runBatchInChunks } from '../../../admin/bench.ts';
import { CHANNEL_LABELS } from '../../../admin/conversations.ts';
import { dashboardCsv } from '../../../admin/dashboard-csv.ts';
import { loadDashboard } from '../../../admin/dashboard.ts';
import { createLabels } from '../../../knowledge/labels.ts';
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
  const kbFor = (engine: Awaited<ReturnType<typeof engineFor>>) =>
    engine === services.core.engine ? services.core.engine.knowledge() : services.drafts.kb();

  app.post('/ask', async (c) => {
    const body = await readJson(c.req);
    const text = typeof body.text === 'string' ? body.text.slice(0, 1000) : '';
    if (!text.trim()) badRequest('请输入问题');
    const engine = await engineFor(body.draft);
    const { reply, trace } = explain(engine, text, now());
    const kb = kbFor(engine);
    // The trace names facts by id; staff also want to read them and see where they come from.
    const facts = trace.facts.map((used) => {
      const fact = kb.facts.find((candidate) => candidate.id === used.id);
      const source = kb.sources.find((candidate) => candidate.id === fact?.source.id);
      return { ...used, text: fact?.text, title: source?.title, section: fact?.source.section, asOf: fact?.asOf };
    });
    // Staff read 法律援助, not legal_aid: the page shows these names with the id in small type.
    return c.json({ reply, trace, facts, draft: body.draft === true, labels: createLabels(kb.intents).maps() });
  });

  app.post('/batch', async (c) => {
    const body = await readJson(c.req);
    // The page sends the file's bytes (base64) so a GBK file from Excel can be recognised;
    // `content` (text) is still accepted from scripts.
    const content =
      typeof body.contentBase64 === 'string' && body.contentBase64
        ? Uint8Array.from(Buffer.from(body.contentBase64, 'base64'))
        : typeof body.content === 'string' && body.content.trim()
          ? body.content
          : badRequest('请上传 CSV 或 JSONL 文件');
    const engine = await engineFor(body.draft);
    const labels = createLabels(kbFor(engine).intents);
    const filename = typeof body.filename === 'string' ? body.filename : '';
    const { questions, problems, encoding, refused } = parseQuestions(content, filename, labels);
    if (refused) return c.json({ error: refused, problems: [] }, 422);
    if (questions.length === 0) return c.json({ error: '文件里没有可读的问题', problems }, 422);
    // In chunks: chat requests keep being answered while a large file is scored.
    const report = await runBatchInChunks(engine, questions, now());
    return c.json({
      ...report,
      problems,
      encoding: encoding ?? 'utf-8',
      csv: reportToCsv(report, labels),
      labels: labels.maps(),
      draft: body.draft === true,
    });
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
