// Publish: what the draft changes (the edits as diffs, each added example live → draft, accuracy,
// answers that change), the emergency-related changes an admin must confirm by typing, then history + rollback.
const { h, api, toast, showError, barChart, pct, start } = window.ConsoleKit;
const ACTION = { add: '新增', edit: '修改', delete: '删除' };
const KIND = { intent: '意图', fact: '事实' };

async function load() {
  const content = document.getElementById('content');
  content.replaceChildren(h('p', { className: 'muted', text: '正在用保留测试题和紧急求助、误报测试题评估草稿（有新例句时要先训练草稿模型，可能需要一两分钟）…' }));
  try {
    const [preview, history] = await Promise.all([api('GET', '/api/admin/preview'), api('GET', '/api/admin/history')]);
    content.replaceChildren(previewCard(preview), historyCard(history));
  } catch (error) { showError(error, content); }
}

const SET = { emergency: '紧急求助测试题', false_alarms: '误报测试题' };
const FIELD = { examples: '例句', keywords: '关键词', patterns: '正则', intent: '意图' };

/** One line per danger, in words an admin checks against what they meant to change. */
function dangerText(d) {
  if (d.kind === 'emergency_edit') {
    if (d.field === 'intent') return `${d.change === 'add' ? '新建' : '删除'}紧急意图 ${d.intent}（${d.text}）`;
    return `紧急意图 ${d.intent} ${d.change === 'add' ? '新增' : '删除'}${FIELD[d.field]}「${d.text}」`;
  }
  return `${SET[d.set] || d.set} ${d.id}「${d.text}」的回答：${d.before} → ${d.after}`;
}

// The server sends the dangers worst first; each kind gets a heading saying what could go wrong.
const DANGER_GROUPS = [
  ['edit', '紧急意图的改动'],
  ['missed_emergency', '紧急求助可能被漏掉（原为紧急回复，发布后不是）'],
  ['false_alarm', '普通咨询会收到紧急回复'],
  ['emergency_kind', '紧急回复的种类改变'],
  ['other', '其他回答变化（紧急求助 / 误报测试题）'],
];

/** The dangers in red, and the box where the confirmation phrase is typed; `onInput` re-checks the button. */
function dangersBox(p, onInput) {
  const phrase = h('input', { id: 'confirm-phrase', autocomplete: 'off', 'aria-label': '确认语', placeholder: p.confirmPhrase });
  phrase.addEventListener('input', onInput);
  const groupOf = (d) => (d.kind === 'emergency_edit' ? 'edit' : d.severity);
  const box = h('div', { className: 'dangers', id: 'dangers' },
    h('h2', { text: `紧急类改动（${p.dangers.length}）：请逐条核对` }),
    h('p', { text: '给紧急意图加例句、关键词或正则，或使紧急求助/误报测试题的回答变化，都会影响紧急求助的识别：普通咨询可能收到紧急求助回复，真正的求助也可能被漏掉。' }),
    DANGER_GROUPS.map(([key, title]) => {
      const items = p.dangers.filter((d) => groupOf(d) === key);
      return items.length ? h('div', { className: 'danger-group', 'data-group': key },
        h('h3', { text: `${title}（${items.length}）` }), h('ul', {}, items.map((d) => h('li', { text: dangerText(d) })))) : null;
    }),
    h('div', { className: 'confirm' }, h('span', {}, '确认无误后，请输入 ', h('span', { className: 'phrase', text: p.confirmPhrase }), ' ：'), phrase));
  return { box, typed: () => phrase.value.trim() };
}

/** Added examples, and which intent answers each one before (live) and after (draft). */
function examplesTable(p) {
  if (!p.examples.length) return null;
  return h('div', {}, h('h2', { text: `新增例句的效果（${p.examples.length}）` }),
    h('table', { id: 'example-effects' },
      h('thead', {}, h('tr', {}, ['例句', '加入意图', '发布前（线上）', '发布后（草稿）'].map((t) => h('th', { text: t })))),
      h('tbody', {}, p.examples.map((e) => h('tr', {},
        h('td', { text: e.text }), h('td', { className: e.intent.startsWith('emergency.') ? 'moved' : '', text: e.intent }),
        h('td', { text: e.before }),
        h('td', { className: e.after !== e.intent ? 'error' : e.after !== e.before ? 'moved' : 'ok', text: e.after + (e.after !== e.intent ? '（仍未答到所加意图）' : '') }))))));
}

/** Changed lines with two lines of context; longer unchanged runs fold into one line. */
function diffBlock(lines) {
  const keep = lines.map((line, index) => line.op !== 'same' || lines.slice(Math.max(0, index - 2), index + 3).some((other) => other.op !== 'same'));
  const out = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (!keep[index]) { skipped += 1; return; }
    if (skipped) out.push(h('div', { className: 'skip', text: `… ${skipped} 行未变` }));
    skipped = 0;
    out.push(h('div', { className: line.op, text: `${{ same: ' ', add: '+', remove: '-' }[line.op]} ${line.text}` }));
  });
  if (skipped) out.push(h('div', { className: 'skip', text: `… ${skipped} 行未变` }));
  return h('div', { className: 'diff' }, out);
}

function diffsSection(p) {
  if (!p.diffs.length) return null;
  return h('div', { id: 'diffs' }, h('h2', { text: `改动对比（线上 → 草稿，${p.diffs.length} 项）` }),
    p.diffs.map((d) => h('details', { open: p.diffs.length <= 5, 'data-id': d.id },
      h('summary', { text: `${ACTION[d.action]}${KIND[d.kind]} ${d.id}` }), diffBlock(d.lines))));
}

function safetyNote(p) {
  if (!p.dirty) return null;
  const missing = ['emergency', 'false_alarms'].filter((name) => !(p.safetySets.find((s) => s.name === name)?.total));
  const checked = p.safetySets.filter((s) => s.total).map((s) => `${SET[s.name]} ${s.total} 题`).join('、');
  return h('p', { className: missing.length ? 'error' : 'muted', id: 'safety-note',
    text: (checked ? `已用${checked}检查紧急类回答的变化。` : '') + (missing.length ? `缺少${missing.map((n) => SET[n]).join('、')}（eval/ 目录），这部分无法检查。` : '') });
}

function previewCard(p) {
  const errors = p.issues.filter((i) => i.severity === 'error');
  const warnings = p.issues.filter((i) => i.severity === 'warning');
  const dangers = p.dangers.length ? dangersBox(p, () => update()) : undefined;
  const publish = h('button', { type: 'button', id: 'publish', text: '发布', onclick: async () => {
    publish.disabled = true;
    try {
      const { entry, version } = await api('POST', '/api/admin/publish', { revision: p.revision, ...(dangers ? { confirm: dangers.typed() } : {}) });
      toast(`已发布（${entry.id}），线上版本 ${version}`);
      load();
    } catch (error) {
      showError(error);
      // Refused for a draft that changed since this preview: show the current one.
      if (error.status === 409) load(); else update();
    }
  } });
  const update = () => { publish.disabled = !p.dirty || errors.length > 0 || Boolean(dangers && dangers.typed() !== p.confirmPhrase); };
  update();
  return h('div', { className: 'card', id: 'preview' },
    h('h2', { text: p.dirty ? `草稿改动（${p.changes.length}）` : '草稿没有改动' }),
    p.changes.length ? h('ul', { id: 'changes' }, p.changes.map((c) => h('li', { text: `${ACTION[c.action]}${KIND[c.kind]} ${c.id} — ${c.by} ${c.at.replace('T', ' ').slice(0, 16)}` }))) : null,
    errors.length ? h('div', {}, h('p', { className: 'error', text: `有 ${errors.length} 处错误，修正后才能发布：` }),
      h('ul', { className: 'issues' }, errors.map((i) => h('li', { text: `${i.file} ${i.path} — ${i.message}` })))) : null,
    warnings.length ? h('details', {}, h('summary', { text: `${warnings.length} 条警告` }), h('ul', {}, warnings.map((i) => h('li', { text: `${i.file} ${i.path} — ${i.message}` })))) : null,
    dangers ? dangers.box : null,
    examplesTable(p),
    diffsSection(p),
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
    safetyNote(p),
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
        h('td', { text: (e.accuracy ? `${pct(e.accuracy.before)} → ${pct(e.accuracy.after)}` : '—') + (e.confirmedDangers ? `；已确认紧急类改动 ${e.confirmedDangers} 项` : '') }),
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
