// Test bench: one question with its explanation, or a batch file scored per topic.
const { h, api, showError, barChart, pct, csvDownload, start } = window.ConsoleKit;

const DECIDED = {
  emergency: '紧急规则（优先于一切）', rule: '关键词/正则规则', classifier: '分类器', context: '上下文（追问）',
  button: '按钮', flow: '引导流程', fallback: '未理解（兜底）', input: '输入无效或非文字',
};

function explanation(result) {
  const { reply, trace } = result;
  const ranked = trace.ranked.slice(0, 8);
  return h('div', { className: 'card', id: 'explanation' },
    h('h2', { text: '回答' }),
    h('p', {}, h('span', { className: 'pill', text: reply.kind }), ' ', h('code', { id: 'answer-intent', text: reply.intent }),
      ` 置信度 ${reply.confidence.toFixed(2)}`, result.draft ? h('span', { className: 'pill warn', text: ' 草稿 ' }) : null),
    h('div', { className: 'reply', id: 'answer-text', text: reply.text }),
    h('h2', { text: '解释' }),
    h('dl', { className: 'kv' },
      h('dt', { text: '决定方式' }), h('dd', { id: 'decided-by', text: `${DECIDED[trace.decidedBy] || trace.decidedBy}（${trace.decidedBy}）` }),
      h('dt', { text: '规范化文本' }), h('dd', { id: 'normalized', text: trace.normalized }),
      h('dt', { text: '分词' }), h('dd', { className: 'tokens', id: 'tokens' }, trace.tokens.map((t) => h('span', { text: t }))),
      h('dt', { text: '命中规则' }), h('dd', { text: trace.rule ? `${trace.rule.intent} ← “${trace.rule.match}”（${trace.rule.priority === 'override' ? '最高优先' : '普通'}）` : '无' }),
      h('dt', { text: '阈值' }), h('dd', { text: trace.threshold.toFixed(2) }),
      h('dt', { text: '其他事项' }), h('dd', { text: trace.otherIntents.join('、') || '无' }),
    ),
    h('h2', { text: '意图得分' }),
    ranked.length
      ? h('div', { id: 'scores' }, barChart(ranked.map((r) => ({ label: r.intent, value: r.score, color: r.score >= trace.threshold ? '#3b6fb6' : '#9aa9ba' })), { max: 1, format: (v) => v.toFixed(2), label: 250 }))
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
  const rowsTable = (rows) => h('table', {},
    h('thead', {}, h('tr', {}, ['问题', '期望', '回答意图', '置信度', '决定', '结果'].map((t) => h('th', { text: t })))),
    h('tbody', {}, rows.map((r) => h('tr', { className: r.ok === false ? 'miss' : '' },
      h('td', { text: r.text }), h('td', { text: r.expectedIntent || r.expectedTopic || '' }), h('td', { text: r.intent }),
      h('td', { text: r.confidence.toFixed(2) }), h('td', { text: r.decidedBy }),
      h('td', { text: r.ok === undefined ? '—' : r.ok ? '✓' : '✗' })))));
  return h('div', { className: 'card', id: 'batch-report' },
    h('h2', { text: `结果：${report.rows.length} 条，计分 ${report.scored} 条，准确率 ${pct(report.accuracy)}` }),
    report.problems.length ? h('ul', { className: 'issues' }, report.problems.map((p) => h('li', { text: p }))) : null,
    h('p', {}, h('button', { type: 'button', id: 'download-csv', className: 'secondary', text: '下载结果 CSV',
      onclick: () => csvDownload(`${filename.replace(/\.[^.]+$/, '') || 'batch'}-results.csv`, report.csv) })),
    h('div', { className: 'grid2' },
      h('div', {}, h('h2', { text: '各主题准确率' }),
        barChart(report.byTopic.map((t) => ({ label: t.topic, value: t.accuracy, color: t.accuracy < 0.8 ? '#c0392b' : '#3b6fb6' })), { max: 1, format: pct, label: 130 })),
      h('div', {}, h('table', { id: 'topic-table' },
        h('thead', {}, h('tr', {}, ['主题', '正确', '总数', '准确率'].map((t) => h('th', { text: t })))),
        h('tbody', {}, report.byTopic.map((t) => h('tr', {}, h('td', { text: t.topic }), h('td', { text: t.correct }), h('td', { text: t.total }), h('td', { text: pct(t.accuracy) }))))))),
    h('h2', { text: `答错的问题（${report.misses.length}）` }),
    h('div', { id: 'misses' }, report.misses.length ? rowsTable(report.misses) : h('p', { className: 'ok', text: '全部正确' })),
    h('details', {}, h('summary', { text: '全部结果' }), rowsTable(report.rows)),
  );
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
      const report = await api('POST', '/api/staff/batch', { content: await chosen.text(), filename: chosen.name, draft: batchDraft.checked });
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
      h('p', { className: 'muted', text: 'CSV（表头含 text，可选 topic、intent 列）或 JSONL（每行 {"text": "…", "topic": "…"}）。' }),
      h('div', { className: 'row' }, file, h('label', { className: 'inline' }, batchDraft, '用草稿测试'), h('button', { type: 'submit', text: '运行' }))),
    batchOut,
  );
});
