import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppFixture } from '../../e2e/web/app-fixture.ts';

/** The test bench's routes as the page calls them, logged in as hotline staff. */

let fixture: Awaited<ReturnType<typeof createAppFixture>>;
let staff: Record<string, string>;

beforeAll(async () => {
  fixture = await createAppFixture();
  staff = await fixture.login('staff', 'staff-Tulip-3958');
});
afterAll(() => fixture?.cleanup());

interface BatchBody {
  error?: string;
  rows: { id: string; text: string; intent: string; reply: string; ok?: boolean }[];
  scored: number;
  problems: string[];
  encoding: string;
  csv: string;
  labels: { topics: Record<string, string>; intents: Record<string, string> };
}

const post = async (path: string, body: unknown) => {
  const response = await fixture.request(path, { method: 'POST', headers: staff, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as BatchBody & Record<string, unknown> };
};
const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

/** '问题,主题\n赣服通是什么,ganfutong\n' as Excel saves it on a Chinese Windows (GBK). */
const GBK_CSV = Buffer.from('cecacce22cd6f7cce20ab8d3b7fecda8cac7cab2c3b42c67616e6675746f6e670a', 'hex');

describe('the test bench', () => {
  it('names the answer and the scored intents in Chinese for a single question', async () => {
    const { status, body } = await post('/api/staff/ask', { text: '法律援助怎么申请' });
    expect(status).toBe(200);
    const reply = body.reply as { intent: string };
    expect(reply.intent).toBe('legal_aid.how_to_apply');
    expect(body.labels.intents['legal_aid.how_to_apply']).toBe('法律援助怎么申请？');
    expect(body.labels.topics.legal_aid).toBe('法律援助');
  });

  it('reads a GBK file uploaded from Excel and says it was converted', async () => {
    const { status, body } = await post('/api/staff/batch', { contentBase64: base64(GBK_CSV), filename: '问题.csv' });
    expect(status).toBe(200);
    expect(body.encoding).toBe('gb18030');
    expect(body.rows.map((row) => row.text)).toEqual(['赣服通是什么']);
    expect(body.rows[0]!.intent).toMatch(/^ganfutong\./);
    expect(body.csv).toContain('赣服通是什么');
  });

  it('reports unknown expectations by line, scores only the rest, and keeps ids and answers', async () => {
    const csv = '编号,问题,预期\nA1,法律援助怎么申请,legal_aid\nA2,请不起律师怎么办,legal_aide\nA3,12348热线是干什么的,热线\n';
    const { status, body } = await post('/api/staff/batch', { contentBase64: base64(`\uFEFF${csv}`), filename: 'q.csv' });
    expect(status).toBe(200);
    expect(body.problems).toEqual(['第 3 行：未知的主题或意图 legal_aide（此行未计分）', '第 4 行：未知的主题或意图 热线（此行未计分）']);
    expect(body.scored).toBe(1);
    expect(body.rows.map((row) => row.id)).toEqual(['A1']);
    expect(body.rows[0]!.reply).toContain('法律援助');
    const [header, row] = body.csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header!.split(',')).toEqual(expect.arrayContaining(['id', 'intent_name', 'topic_name', 'answer']));
    expect(row).toMatch(/^A1,法律援助怎么申请,legal_aid,,法律援助,legal_aid\.how_to_apply,法律援助怎么申请？,/);
  });

  it('refuses a file that is not text with a message saying how to save it', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const { status, body } = await post('/api/staff/batch', { contentBase64: base64(png), filename: 'photo.csv' });
    expect(status).toBe(422);
    expect(body.error).toContain('既不是 UTF-8 也不是 GBK');
  });
});
