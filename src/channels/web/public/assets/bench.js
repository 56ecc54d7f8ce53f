// Test bench: one question with its explanation, or a batch file scored per topic.
const { h, api, showError, barChart, pct, csvDownload, start } = window.ConsoleKit;
const { named, withId } = window.StaffNames;

const DECIDED = {
  emergency: '紧急规则（优先于一切）', rule: '关键词/正则规则', classifier: '分类器', context: '上下文（追问）',
  button: '按钮', flow: '引导流程', fallback: '未理解（兜底）', input: '输入无效或非文字',
};

function explanation(result) {
  const { reply, trace, labels } = result;
  const ranked = trace.ranked.slice(0, 8);
  return h('div', { className: 'card', id: 'explanation' },
    h('h2', { text: '回答' }),
    h('p', {}, h('span', { className: 'pill', text: reply.kind }), ' ', h('span', { id: 'answer-intent' }, named(labels, reply.intent, 'intents')),
      ` 置信度 ${reply.confidence.toFixed(2)}`, result.draft ? h('span', { className: 'pill warn', text: ' 草稿 ' }) : null),
    h('div', { className: 'reply', id: 'answer-text', text: reply.text }),
    h('h2', { text: '解释' }),
    h('dl', { className: 'kv' },
      h('dt', { text: '决定方式' }), h('dd', { id: 'decided-by', text: `${DECIDED[trace.decidedBy] || trace.decidedBy}（${trace.decidedBy}）` }),
      h('dt', { text: '规范化文本' }), h('dd', { id: 'normalized', text: trace.normalized }),
      h('dt', { text: '分词' }), h('dd', { className: 'tokens', id: 'tokens' }, trace.tokens.map((t) => h('span', { text: t }))),
      h('dt', { text: '命中规则' }), h('dd', {}, trace.rule
        ? [named(labels, trace.rule.intent, 'intents'), ` ← “${trace.rule.match}”（${trace.rule.priority === 'override' ? '最高优先' : '普通'}）`]
        : '无'),
      h('dt', { text: '阈值' }), h('dd', { text: trace.threshold.toFixed(2) }),
      h('dt', { text: '其他事项' }), h('dd', {}, trace.otherIntents.length ? trace.otherIntents.flatMap((id, i) => [i ? '、' : null, named(labels, id)]) : '无'),
    ),
    h('h2', { text: '意图得分' }),
    ranked.length
      ? h('div', { id: 'scores' }, barChart(ranked.map((r) => ({ label: withId(labels, r.intent, 'intents'), value: r.score, color: r.score >= trace.threshold ? '#3b6fb6' : '#9aa9ba' })), { max: 1, format: (v) => v.toFixed(2), label: 340, width: 720 }))
      : h('p', { className: 'muted', text: '分类器未参与' }),
    h('h2', { text: '使用的事实' }),
    result.facts.length
      ? h('ul', { id: 'facts' }, result.facts.map((f) => h('li', {}, h('code', { text: f.id }),
          ` — ${f.title ? `《${f.title}》${f.section || ''}` : f.source}${f.asOf ? `（截至 ${f.asOf}）` : ''}`,
          f.text ? h('div', { className: 'muted', text: f.text }) : null)))
      : h('p', { className: 'muted', text: '无' }),
  );
}

function batchReport(report, filename) {
  const { labels } = report;
  const expected = (r) => r.expectedIntent ? named(labels, r.expectedIntent, 'intents') : named(labels, r.expectedTopic, 'topics');
  const rowsTable = (rows) => h('table', { className: 'rows' },
    h('thead', {}, h('tr', {}, ['编号', '问题', '期望', '回答意图', '置信度', '决定', '结果', '机器人的回答'].map((t) => h('th', { text: t })))),
    h('tbody', {}, rows.map((r) => h('tr', { className: r.ok === false ? 'miss' : '', 'data-id': r.id },
      h('td', {}, h('code', { text: r.id })), h('td', { text: r.text }), h('td', {}, expected(r)), h('td', {}, named(labels, r.intent, 'intents')),
      h('td', { text: r.confidence.toFixed(2) }), h('td', { text: DECIDED[r.decidedBy] || r.decidedBy }),
      h('td', { text: r.ok === undefined ? '—' : r.ok ? '✓' : '✗' }),
      h('td', {}, h('div', { className: 'answer', title: r.reply, text: r.reply }))))));
  return h('div', { className: 'card', id: 'batch-report' },
    h('h2', { text: `结果：${report.rows.length} 条，计分 ${report.scored} 条，准确率 ${pct(report.accuracy)}` }),
    report.encoding === 'gb18030' ? h('p', { className: 'note', id: 'encoding-note', text: '文件是 GBK 编码（Excel 在中文 Windows 上的默认格式），已自动转换后读取。' }) : null,
    report.problems.length ? h('div', { id: 'problems' },
      h('p', { className: 'error', text: `以下 ${report.problems.length} 处未计分，请修改文件后重新上传：` }),
      h('ul', { className: 'issues' }, report.problems.map((p) => h('li', { text: p })))) : null,
    h('p', {}, h('button', { type: 'button', id: 'download-csv', className: 'secondary', text: '下载结果 CSV',
      onclick: () => csvDownload(`${filename.replace(/\.[^.]+$/, '') || 'batch'}-results.csv`, report.csv) })),
    h('div', { className: 'grid2' },
      h('div', {}, h('h2', { text: '各主题准确率' }),
        barChart(report.byTopic.map((t) => ({ label: withId(labels, t.topic, 'topics'), value: t.accuracy, color: t.accuracy < 0.8 ? '#c0392b' : '#3b6fb6' })), { max: 1, format: pct, label: 230 })),
      h('div', {}, h('table', { id: 'topic-table' },
        h('thead', {}, h('tr', {}, ['主题', '正确', '总数', '准确率'].map((t) => h('th', { text: t })))),
        h('tbody', {}, report.byTopic.map((t) => h('tr', {}, h('td', {}, named(labels, t.topic, 'topics')), h('td', { text: t.correct }), h('td', { text: t.total }), h('td', { text: pct(t.accuracy) }))))))),
    h('h2', { text: `答错的问题（${report.misses.length}）` }),
    h('div', { id: 'misses' }, report.misses.length ? rowsTable(report.misses) : h('p', { className: 'ok', text: '全部正确' })),
    h('details', {}, h('summary', { text: '全部结果' }), rowsTable(report.rows)),
  );
}

/** The file's bytes as base64: the server decides between UTF-8 and GBK (Excel's default). */
async function fileBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

start('bench').then(() => {
  const askOut = h('div');
  const batchOut = h('div');
  const question = h('input', { id: 'question', className: 'grow', placeholder: '输入一个问题，例如：请不起律师怎么办', maxlength: 600 });
  const askDraft = h('input', { type: 'checkbox', id: 'ask-draft' });
  const file = h('input', { type: 'file', id: 'batch-file', accept: '.csv,.jsonl,.json,.txt' });
  const batchDraft = h('input', { type: 'checkbox', id: 'batch-draft' });

  const ask = async (event) => {
    event.preventDefault();
    if (!question.value.trim()) return;
    try {
      askOut.replaceChildren(explanation(await api('POST', '/api/staff/ask', { text: question.value, draft: askDraft.checked })));
    } catch (error) { showError(error, askOut); }
  };
  const batch = async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    batchOut.replaceChildren(h('p', { className: 'muted', text: '运行中…' }));
    try {
      const report = await api('POST', '/api/staff/batch', { contentBase64: await fileBase64(chosen), filename: chosen.name, draft: batchDraft.checked });
      batchOut.replaceChildren(batchReport(report, chosen.name));
    } catch (error) { showError(error, batchOut); }
  };

  document.getElementById('content').replaceChildren(
    h('form', { className: 'card', id: 'ask-form', onsubmit: ask },
      h('h2', { text: '单条测试' }),
      h('div', { className: 'row' }, question, h('label', { className: 'inline' }, askDraft, '用草稿测试'), h('button', { type: 'submit', text: '提问' }))),
    askOut,
    h('form', { className: 'card', id: 'batch-form', onsubmit: batch },
      h('h2', { text: '批量测试' }),
      h('p', { className: 'muted', text: 'CSV：表头含 text（或“问题”）列，可选 id（编号）、topic（主题）、intent（意图）或 expected（预期）列；预期可写主题编号、中文主题名或意图编号。UTF-8 或 Excel 默认的 GBK 编码均可。也可用 JSONL：每行 {"id": "…", "text": "…", "expected": "…"}。' }),
      h('div', { className: 'row' }, file, h('label', { className: 'inline' }, batchDraft, '用草稿测试'), h('button', { type: 'submit', text: '运行' }))),
    batchOut,
  );
});
