// Intents and facts: search, view, add, edit, delete — all in the draft, published from 发布与历史.
const { h, api, toast, showError, start } = window.ConsoleKit;
let draft;
let tab = 'intents';
let query = '';
let selected; // { kind, id } or { kind, id: undefined } for a new item

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);
const joinLines = (list) => (list || []).join('\n');

async function reload() {
  draft = await api('GET', '/api/admin/draft');
  render();
}

function matches(entry) {
  if (!query) return true;
  return JSON.stringify(entry.item).toLowerCase().includes(query.toLowerCase());
}

function render() {
  const list = (tab === 'intents' ? draft.intents : draft.facts).filter(matches);
  const idOf = (entry) => (tab === 'intents' ? entry.item.name : entry.item.id);
  const overdue = (fact) => fact.reviewBy && fact.reviewBy < draft.today;
  const discard = () => h('button', { type: 'button', className: 'danger', text: '放弃草稿', onclick: async () => {
    if (!confirm('放弃草稿中的全部改动？')) return;
    await api('POST', '/api/admin/draft/discard', {}); selected = undefined; reload();
  } });
  const status = h('div', { className: 'card', id: 'draft-status' },
    draft.dirty
      ? h('span', {}, h('strong', { text: `草稿有 ${draft.changes.length} 处改动` }), '（尚未生效）。', h('a', { href: '/console/publish', text: '去发布' }), ' ', discard())
      : h('span', { className: 'muted', text: '草稿与线上一致。保存的改动先进入草稿，发布后生效。' }),
    // A stored draft that was corrupt (moved aside) or cannot be read: the admin must know.
    draft.problem ? h('p', { className: 'error', id: 'draft-problem' }, draft.problem, ' ', draft.dirty ? null : discard()) : null,
    draft.stale ? h('p', { className: 'error', text: '线上知识库在草稿创建后已变化，发布将以草稿为准。' }) : null);
  const side = h('div', { className: 'card' },
    h('div', { className: 'tabs' },
      h('button', { type: 'button', className: tab === 'intents' ? 'active' : '', text: `意图（${draft.intents.length}）`, onclick: () => { tab = 'intents'; selected = undefined; render(); } }),
      h('button', { type: 'button', className: tab === 'facts' ? 'active' : '', text: `事实（${draft.facts.length}）`, onclick: () => { tab = 'facts'; selected = undefined; render(); } })),
    h('div', { className: 'row' },
      h('input', { id: 'search', className: 'grow', type: 'search', placeholder: '搜索', value: query, oninput: (e) => { query = e.target.value; renderList(); } }),
      h('button', { type: 'button', id: 'new-item', text: '新建', onclick: () => { selected = { kind: tab, id: undefined }; render(); } })),
    h('div', { className: 'list', id: 'item-list' }));
  const editor = h('div', { className: 'card', id: 'editor' });
  document.getElementById('content').replaceChildren(status, h('div', { className: 'grid2' }, side, editor));
  function renderList() {
    document.getElementById('item-list').replaceChildren(...(tab === 'intents' ? draft.intents : draft.facts).filter(matches).map((entry) =>
      h('button', { type: 'button', className: `item ${selected && selected.id === idOf(entry) ? 'active' : ''}`, 'data-id': idOf(entry),
        onclick: () => { selected = { kind: tab, id: idOf(entry) }; render(); } },
        h('code', { text: idOf(entry) }), ' ',
        tab === 'intents' ? h('span', { className: 'muted', text: entry.item.description }) : overdue(entry.item) ? h('span', { className: 'pill warn', text: '需复核' }) : '')));
  }
  renderList();
  if (!selected) { editor.append(h('p', { className: 'muted', text: list.length ? '从左侧选择一项查看或编辑。' : '没有匹配项。' })); return; }
  const entry = selected.id === undefined ? undefined : (selected.kind === 'intents' ? draft.intents : draft.facts).find((e) => idOf(e) === selected.id);
  editor.append(selected.kind === 'intents' ? intentForm(entry) : factForm(entry));
}

function field(label, input) { return h('label', {}, label, input); }

async function save(kind, entry, item, out) {
  const base = `/api/admin/${kind}`;
  const id = entry ? (kind === 'intents' ? entry.item.name : entry.item.id) : undefined;
  try {
    const result = entry
      ? await api('PUT', `${base}/${encodeURIComponent(id)}`, { item, revision: entry.revision })
      : await api('POST', base, { item });
    const errors = result.lint.filter((i) => i.severity === 'error');
    toast(errors.length ? `已保存到草稿；草稿仍有 ${errors.length} 处错误，发布前需修正` : '已保存到草稿');
    selected = { kind, id: kind === 'intents' ? result.item.name : result.item.id };
    await reload();
  } catch (error) {
    showError(error, out);
    if (error.status === 409) out.append(h('button', { type: 'button', className: 'secondary', text: '重新加载最新版本', onclick: async () => { await reload(); } }));
  }
}

async function remove(kind, entry, out) {
  const id = kind === 'intents' ? entry.item.name : entry.item.id;
  if (!confirm(`在草稿中删除 ${id}？`)) return;
  try {
    await api('DELETE', `/api/admin/${kind}/${encodeURIComponent(id)}`, { revision: entry.revision });
    toast('已在草稿中删除'); selected = undefined; await reload();
  } catch (error) { showError(error, out); }
}

function intentForm(entry) {
  const i = entry ? entry.item : { name: '', description: '', question: '', priority: 'normal', keywords: [], patterns: [], examples: [], answer: { facts: [] }, followups: [] };
  const prefill = decodeURIComponent((location.hash.match(/new-intent=([^&]*)/) || [])[1] || '');
  const f = {
    name: h('input', { name: 'name', value: i.name, placeholder: 'topic.aspect' }),
    description: h('input', { name: 'description', value: i.description }),
    question: h('input', { name: 'question', value: i.question }),
    priority: h('select', { name: 'priority' }, h('option', { value: 'normal', text: '普通' }), h('option', { value: 'override', text: '最高优先（紧急）' })),
    examples: h('textarea', { name: 'examples', rows: 10, value: entry ? joinLines(i.examples) : prefill }),
    keywords: h('textarea', { name: 'keywords', rows: 3, value: joinLines(i.keywords) }),
    patterns: h('textarea', { name: 'patterns', rows: 2, value: joinLines(i.patterns) }),
    facts: h('textarea', { name: 'facts', rows: 3, value: joinLines(i.answer.facts) }),
    missing: h('input', { name: 'missing', value: i.answer.missing || '' }),
    followups: h('textarea', { name: 'followups', rows: 3, value: joinLines(i.followups) }),
  };
  f.priority.value = i.priority;
  const out = h('div', { id: 'form-issues' });
  const submit = (event) => {
    event.preventDefault();
    const answer = { ...i.answer, facts: lines(f.facts.value) };
    if (f.missing.value.trim()) answer.missing = f.missing.value.trim(); else delete answer.missing;
    save('intents', entry, {
      name: f.name.value.trim(), description: f.description.value, question: f.question.value, priority: f.priority.value,
      keywords: lines(f.keywords.value), patterns: lines(f.patterns.value), examples: lines(f.examples.value),
      answer, followups: lines(f.followups.value),
    }, out);
  };
  return h('form', { id: 'intent-form', onsubmit: submit },
    h('h2', { text: entry ? `意图 ${i.name}` : '新建意图' }),
    entry ? h('p', { className: 'muted', text: `版本 ${entry.revision}` }) : h('p', { className: 'muted', text: '意图名形如 legal_aid.how_to_apply；至少 12 条例句。' }),
    field('意图名', f.name), field('说明（给工作人员看）', f.description), field('问题标签（追问按钮上显示）', f.question), field('优先级', f.priority),
    field('例句（每行一条）', f.examples), field('关键词（每行一个）', f.keywords), field('正则（每行一个）', f.patterns),
    field('使用的事实编号（每行一个）', f.facts), field('没有的信息（说明并引导拨打 12348）', f.missing), field('追问意图（每行一个，最多 4 个）', f.followups),
    out,
    h('div', { className: 'row' }, h('button', { type: 'submit', text: '保存到草稿' }),
      entry ? h('button', { type: 'button', className: 'danger', text: '删除', onclick: () => remove('intents', entry, out) }) : null),
  );
}

function factForm(entry) {
  const x = entry ? entry.item : { id: '', topic: '', text: '', figures: [], source: { id: '', section: '' }, scope: 'national', asOf: draft.today, reviewBy: '' };
  const f = {
    id: h('input', { name: 'id', value: x.id, placeholder: 'topic.xxx' }),
    topic: h('select', { name: 'topic' }, Object.entries(draft.topics).map(([k, v]) => h('option', { value: k, text: `${k} — ${v}` }))),
    text: h('textarea', { name: 'text', rows: 6, value: x.text }),
    figures: h('textarea', { name: 'figures', rows: 3, value: joinLines(x.figures) }),
    source: h('select', { name: 'source' }, draft.sources.map((s) => h('option', { value: s.id, text: `${s.id} — ${s.title}` }))),
    section: h('input', { name: 'section', value: x.source.section }),
    scope: h('select', { name: 'scope' }, h('option', { value: 'city_2020', text: '乐平市2020年数据' }), h('option', { value: 'national', text: '全国规定' }), h('option', { value: 'general', text: '一般信息' })),
    asOf: h('input', { name: 'asOf', type: 'date', value: x.asOf }),
    reviewBy: h('input', { name: 'reviewBy', type: 'date', value: x.reviewBy || '' }),
  };
  f.topic.value = x.topic; f.source.value = x.source.id; f.scope.value = x.scope;
  const out = h('div', { id: 'form-issues' });
  const submit = (event) => {
    event.preventDefault();
    const item = { id: f.id.value.trim(), topic: f.topic.value, text: f.text.value, figures: lines(f.figures.value),
      source: { id: f.source.value, section: f.section.value }, scope: f.scope.value, asOf: f.asOf.value };
    if (f.reviewBy.value) item.reviewBy = f.reviewBy.value;
    save('facts', entry, item, out);
  };
  return h('form', { id: 'fact-form', onsubmit: submit },
    h('h2', { text: entry ? `事实 ${x.id}` : '新建事实' }),
    entry ? h('p', { className: 'muted', text: `版本 ${entry.revision}${x.updatedBy ? ` · 最后修改 ${x.updatedBy} ${x.updatedAt || ''}` : ''}` }) : null,
    x.reviewBy && x.reviewBy < draft.today ? h('p', { className: 'error', text: `已过复核日期 ${x.reviewBy}` }) : null,
    field('编号', f.id), field('主题', f.topic), field('正文', f.text), field('正文中出现的数字（每行一个，须与正文一致）', f.figures),
    field('来源', f.source), field('章节或条款', f.section), field('范围', f.scope),
    h('div', { className: 'row' }, field('数据截至', f.asOf), field('复核日期', f.reviewBy)),
    out,
    h('div', { className: 'row' }, h('button', { type: 'submit', text: '保存到草稿' }),
      entry ? h('button', { type: 'button', className: 'danger', text: '删除', onclick: () => remove('facts', entry, out) }) : null),
  );
}

start('knowledge').then(async () => {
  if (location.hash.startsWith('#new-intent=')) selected = { kind: 'intents', id: undefined };
  try { await reload(); } catch (error) { showError(error, document.getElementById('content')); }
});
