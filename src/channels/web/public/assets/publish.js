// Publish: what the draft changes (accuracy before/after, answers that change), then history + rollback.
const { h, api, toast, showError, barChart, pct, start } = window.ConsoleKit;
const ACTION = { add: '新增', edit: '修改', delete: '删除' };
const KIND = { intent: '意图', fact: '事实' };

async function load() {
  const content = document.getElementById('content');
  content.replaceChildren(h('p', { className: 'muted', text: '正在用保留测试题评估草稿…' }));
  try {
    const [preview, history] = await Promise.all([api('GET', '/api/admin/preview'), api('GET', '/api/admin/history')]);
    content.replaceChildren(previewCard(preview), historyCard(history));
  } catch (error) { showError(error, content); }
}

function previewCard(p) {
  const errors = p.issues.filter((i) => i.severity === 'error');
  const warnings = p.issues.filter((i) => i.severity === 'warning');
  const publish = h('button', { type: 'button', id: 'publish', text: '发布', disabled: !p.dirty || errors.length > 0, onclick: async () => {
    publish.disabled = true;
    try {
      const { entry, version } = await api('POST', '/api/admin/publish', {});
      toast(`已发布（${entry.id}），线上版本 ${version}`);
      load();
    } catch (error) { showError(error); publish.disabled = false; }
  } });
  return h('div', { className: 'card', id: 'preview' },
    h('h2', { text: p.dirty ? `草稿改动（${p.changes.length}）` : '草稿没有改动' }),
    p.changes.length ? h('ul', { id: 'changes' }, p.changes.map((c) => h('li', { text: `${ACTION[c.action]}${KIND[c.kind]} ${c.id} — ${c.by} ${c.at.replace('T', ' ').slice(0, 16)}` }))) : null,
    errors.length ? h('div', {}, h('p', { className: 'error', text: `有 ${errors.length} 处错误，修正后才能发布：` }),
      h('ul', { className: 'issues' }, errors.map((i) => h('li', { text: `${i.file} ${i.path} — ${i.message}` })))) : null,
    warnings.length ? h('details', {}, h('summary', { text: `${warnings.length} 条警告` }), h('ul', {}, warnings.map((i) => h('li', { text: `${i.file} ${i.path} — ${i.message}` })))) : null,
    p.before ? h('div', { id: 'accuracy' },
      h('h2', { text: `保留测试题准确率（${p.before.total} 题）` }),
      barChart([{ label: '发布前（线上）', value: p.before.accuracy }, ...(p.after ? [{ label: '发布后（草稿）', value: p.after.accuracy, color: p.after.accuracy < p.before.accuracy ? '#c0392b' : '#1b7a3a' }] : [])],
        { max: 1, format: pct, label: 120 })) : h('p', { className: 'muted', text: '没有保留测试题，无法评估准确率。' }),
    p.dirty && p.before ? h('div', {}, h('h2', { text: `回答会变化的问题（${p.changed.length}）` }),
      p.changed.length ? h('table', { id: 'changed' },
        h('thead', {}, h('tr', {}, ['问题', '期望', '发布前', '发布后'].map((t) => h('th', { text: t })))),
        h('tbody', {}, p.changed.map((c) => h('tr', {}, h('td', { text: c.text }), h('td', { text: c.expected }),
          h('td', { className: c.before.ok ? 'ok' : 'error', text: c.before.intent }), h('td', { className: c.after.ok ? 'ok' : 'error', text: c.after.intent })))))
        : h('p', { className: 'muted', text: '保留测试题的回答都不变。' })) : null,
    h('div', { className: 'row' }, publish),
  );
}

function historyCard({ entries, unreadable = [], version }) {
  return h('div', { className: 'card', id: 'history' },
    h('h2', { text: `发布历史（线上版本 ${version}）` }),
    // A history file that cannot be read is named here; the other entries still work.
    unreadable.length ? h('div', { id: 'history-unreadable' },
      h('p', { className: 'error', text: `有 ${unreadable.length} 条历史记录无法读取，已跳过：` }),
      h('ul', { className: 'issues' }, unreadable.map((u) => h('li', { text: `${u.file} — ${u.reason}` })))) : null,
    entries.length ? h('table', {},
      h('thead', {}, h('tr', {}, ['时间', '操作人', '操作', '内容', '准确率', ''].map((t) => h('th', { text: t })))),
      h('tbody', {}, entries.map((e) => h('tr', { 'data-id': e.id },
        h('td', { text: e.at.replace('T', ' ').slice(0, 19) }), h('td', { text: e.by }),
        h('td', { text: e.action === 'publish' ? '发布' : `回滚（到 ${e.rollbackOf} 之前）` }),
        h('td', { text: e.changes.map((c) => `${ACTION[c.action]}${KIND[c.kind]} ${c.id}`).join('；') || '—' }),
        h('td', { text: e.accuracy ? `${pct(e.accuracy.before)} → ${pct(e.accuracy.after)}` : '—' }),
        h('td', {}, h('button', { type: 'button', className: 'danger rollback', text: '回滚到此次之前', onclick: async () => {
          if (!confirm('将意图与事实文件恢复到这次操作之前的状态？未发布的草稿会被放弃。')) return;
          try {
            const result = await api('POST', `/api/admin/history/${encodeURIComponent(e.id)}/rollback`, {});
            toast(`已回滚，线上版本 ${result.version}`);
            load();
          } catch (error) { showError(error); }
        } })))))) : h('p', { className: 'muted', text: '还没有发布记录。' }),
  );
}

start('publish').then(load);
