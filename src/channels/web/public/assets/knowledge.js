// Intents and facts: search, view, add, edit, delete — all in the draft, published from 发布与历史.
const { h, api, toast, showError, start } = window.ConsoleKit;
const { named } = window.StaffNames;
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
        tab === 'intents'
          ? named(draft.labels, idOf(entry), 'intents')
          : [h('span', { className: 'named' }, h('span', { className: 'name', text: snippet(entry.item.text) }), h('small', { className: 'id' }, h('code', { text: idOf(entry) }))),
              overdue(entry.item) ? h('span', { className: 'pill warn', text: '需复核' }) : ''])));
  }
  renderList();
  if (!selected) { editor.append(h('p', { className: 'muted', text: list.length ? '从左侧选择一项查看或编辑。' : '没有匹配项。' })); return; }
  const entry = selected.id === undefined ? undefined : (selected.kind === 'intents' ? draft.intents : draft.facts).find((e) => idOf(e) === selected.id);
  editor.append(selected.kind === 'intents' ? intentForm(entry) : factForm(entry));
}

function field(label, input) { return h('label', {}, label, input); }
// Not a <label>: a picker holds several controls, and a label would send every click to the first.
function pickerField(label, picker) { return h('div', { className: 'picker-field' }, h('span', { text: label }), picker.node); }

const snippet = (text, length = 36) => (text.length > length ? `${text.slice(0, length)}…` : text);

/**
 * A searchable list to pick ids from by their Chinese text (facts by what they say, follow-ups
 * by their question) instead of typing ids. The order of the chosen list is the order shown to
 * citizens, so items can be moved up. An id that no longer exists stays visible, marked, so
 * the save reports it rather than dropping it silently.
 */
function picker(name, options, chosen, { placeholder, empty }) {
  const byId = new Map(options.map((o) => [o.id, o]));
  let ids = [...chosen];
  const list = h('ol', { 'data-empty': empty });
  const search = h('input', { type: 'search', className: 'picker-search', placeholder, 'aria-label': placeholder });
  const select = h('select', { className: 'picker-options', size: 6, 'aria-label': placeholder });
  const add = (id) => { if (id && !ids.includes(id)) { ids.push(id); draw(); } };
  const addButton = h('button', { type: 'button', className: 'secondary picker-add', text: '添加', onclick: () => add(select.value) });
  function draw() {
    list.replaceChildren(...ids.map((id, index) => {
      const option = byId.get(id);
      return h('li', { 'data-id': id },
        option ? h('span', { className: 'named' }, h('span', { className: 'name', text: option.label }), h('small', { className: 'id' }, h('code', { text: id })))
          : h('span', { className: 'named unknown' }, h('code', { text: id }), '（不存在）'),
        index > 0 ? h('button', { type: 'button', title: '上移', text: '↑', onclick: () => { ids.splice(index - 1, 0, ...ids.splice(index, 1)); draw(); } }) : null,
        h('button', { type: 'button', className: 'remove', title: '移除', text: '✕', onclick: () => { ids.splice(index, 1); draw(); } }));
    }));
    const query = search.value.trim().toLowerCase();
    const shown = options.filter((o) => !ids.includes(o.id) && (!query || o.label.toLowerCase().includes(query) || o.id.toLowerCase().includes(query)));
    select.replaceChildren(...shown.map((o) => h('option', { value: o.id, text: `${o.label} — ${o.id}`, title: o.full || o.label })));
  }
  search.addEventListener('input', draw);
  // Enter in the search box adds the first match instead of submitting the form.
  search.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); add(select.options[0] && select.options[0].value); } });
  select.addEventListener('dblclick', () => add(select.value));
  select.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); add(select.value); } });
  draw();
  const node = h('div', { className: 'picker', 'data-name': name }, list, h('div', { className: 'row' }, h('span', { className: 'grow' }, search), addButton), select);
  return { node, value: () => [...ids] };
}

/** Form field a validation issue belongs to: `intents[x].answer.facts[1]` → facts. */
function formFieldOf(path) {
  const keys = path.replace(/^(intents|facts)\[[^\]]*\]\.?/, '').replace(/\[\d+\]/g, '').split('.').filter(Boolean);
  if (keys[0] === 'answer') return keys[1] || 'facts';
  if (keys[0] === 'source') return keys[1] === 'section' ? 'section' : 'source';
  return keys[0] || '';
}

/** Every problem of a refused save at once, each with the field's Chinese name; the fields are marked. */
function showIssues(error, out) {
  const form = out.closest('form');
  if (form) form.querySelectorAll('.invalid').forEach((node) => { node.classList.remove('invalid'); node.removeAttribute('aria-invalid'); });
  const issues = error.data && Array.isArray(error.data.issues) ? error.data.issues : [];
  if (!issues.length) { showError(error, out); return; }
  toast(`${error.message}：${issues.length} 处问题`, 'error');
  out.replaceChildren(
    h('p', { className: 'error', text: `${error.message}，共 ${issues.length} 处问题：` }),
    h('ul', { className: 'issues', id: 'issue-list' }, issues.map((i) => h('li', {},
      i.field ? h('span', { className: 'field', text: `${i.field}：` }) : null, i.message,
      h('small', { className: 'muted', text: `（${i.file} ${i.path}）` })))));
  for (const i of issues) {
    const name = formFieldOf(i.path || '');
    const target = form && name ? form.querySelector(`[name="${name}"], .picker[data-name="${name}"]`) : null;
    if (target) { target.classList.add('invalid'); target.setAttribute('aria-invalid', 'true'); }
  }
}

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
    showIssues(error, out);
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
    facts: picker('facts', draft.facts.map((e) => ({ id: e.item.id, label: snippet(e.item.text), full: e.item.text })), i.answer.facts,
      { placeholder: '搜索事实：输入正文里的字或编号', empty: '尚未选择事实' }),
    missing: h('input', { name: 'missing', value: i.answer.missing || '' }),
    followups: picker('followups', draft.intents.filter((e) => e.item.name !== i.name).map((e) => ({ id: e.item.name, label: draft.labels.intents[e.item.name] || e.item.description || e.item.name, full: e.item.description })), i.followups,
      { placeholder: '搜索追问：输入问题里的字或意图名', empty: '没有追问' }),
  };
  f.priority.value = i.priority;
  const out = h('div', { id: 'form-issues' });
  const submit = (event) => {
    event.preventDefault();
    const answer = { ...i.answer, facts: f.facts.value() };
    if (f.missing.value.trim()) answer.missing = f.missing.value.trim(); else delete answer.missing;
    save('intents', entry, {
      name: f.name.value.trim(), description: f.description.value, question: f.question.value, priority: f.priority.value,
      keywords: lines(f.keywords.value), patterns: lines(f.patterns.value), examples: lines(f.examples.value),
      answer, followups: f.followups.value(),
    }, out);
  };
  return h('form', { id: 'intent-form', onsubmit: submit },
    h('h2', {}, entry ? ['意图：', named(draft.labels, i.name, 'intents')] : '新建意图'),
    entry ? h('p', { className: 'muted', text: `版本 ${entry.revision}` }) : h('p', { className: 'muted', text: '意图名形如 legal_aid.how_to_apply；至少 12 条例句。' }),
    field('意图名', f.name), field('说明（给工作人员看）', f.description), field('问题标签（追问按钮上显示）', f.question), field('优先级', f.priority),
    field('例句（每行一条）', f.examples), field('关键词（每行一个）', f.keywords), field('正则（每行一个）', f.patterns),
    pickerField('使用的事实（按回答中的顺序）', f.facts),
    field('没有的信息（说明并引导拨打 12348）', f.missing),
    pickerField('追问意图（最多 4 个）', f.followups),
    out,
    h('div', { className: 'row' }, h('button', { type: 'submit', text: '保存到草稿' }),
      entry ? h('button', { type: 'button', className: 'danger', text: '删除', onclick: () => remove('intents', entry, out) }) : null),
  );
}

function factForm(entry) {
  const x = entry ? entry.item : { id: '', topic: '', text: '', figures: [], source: { id: '', section: '' }, scope: 'national', asOf: draft.today, reviewBy: '' };
  const f = {
    id: h('input', { name: 'id', value: x.id, placeholder: 'topic.xxx' }),
    topic: h('select', { name: 'topic' }, Object.entries(draft.topics).map(([k, v]) => h('option', { value: k, text: `${v}（${k}）` }))),
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
