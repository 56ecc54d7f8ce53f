// Review inbox: grouped messages the bot missed, a page at a time. Each group shows the bot's reply
// and, on request, the turns around a message; the admin adds it as an example of an intent
// chosen in a searchable picker, marks it 不属于本服务, or dismisses it.
const { h, api, toast, showError, start } = window.ConsoleKit;
const REASONS = { none: '未理解', low: '低置信度', down: '差评' };
const STATUS = { new: '待处理', done: '已处理', ignored: '已忽略' };
let status = 'new';
// After an action the same page reloads; the server clamps it if that page is now past the end.
let page = 1;

async function load() {
  const content = document.getElementById('content');
  try {
    const data = await api('GET', `/api/admin/inbox?status=${status}&page=${page}`);
    page = data.page;
    const tabs = h('div', { className: 'tabs' }, Object.entries(STATUS).map(([key, label]) =>
      h('button', { type: 'button', className: key === status ? 'active' : '', 'data-status': key, text: `${label}（${data.counts[key]}）`,
        onclick: () => { status = key; page = 1; load(); } })));
    content.replaceChildren(...[
      h('p', { className: 'muted', text: '加为例句或标记“不属于本服务”后写入草稿，发布后生效（无需重启）。机器人把握不足时不预选意图，请自己选择。' }),
      tabs,
      pager(data),
      data.groups.length ? h('div', { id: 'groups' }, data.groups.map((g) => group(g, data))) : h('p', { className: 'muted', id: 'empty', text: '没有消息' }),
      data.pages > 1 ? pager(data) : null,
    ].filter(Boolean)); // replaceChildren would print a null as the text "null"
  } catch (error) { showError(error, content); }
}

function pager(data) {
  const go = (next) => { page = next; load(); window.scrollTo(0, 0); };
  return h('div', { className: 'row pager' },
    h('button', { type: 'button', className: 'secondary prev', text: '上一页', disabled: data.page <= 1, onclick: () => go(data.page - 1) }),
    h('span', { className: 'muted page-info', text: `第 ${data.page} / ${data.pages} 页 · 共 ${data.totalGroups} 组、${data.counts[status]} 条消息` }),
    h('button', { type: 'button', className: 'secondary next', text: '下一页', disabled: data.page >= data.pages, onclick: () => go(data.page + 1) }));
}

const isEmergency = (name) => name.startsWith('emergency.');

/**
 * A text box that filters the intents by Chinese description, question label or id as the admin
 * types (every word must match); the list shows the description, with the id and the question
 * label in small type, so whatever matched is visible. It starts on `initial` only (the
 * server sends one only when the bot was confident enough), else empty: 请选择….
 */
function intentPicker(intents, initial, onChange) {
  let value = '';
  let active = -1;
  let shown = [];
  const input = h('input', { className: 'intent-input', type: 'text', role: 'combobox', autocomplete: 'off', 'aria-label': '意图', 'aria-expanded': 'false',
    placeholder: '请选择…（输入中文或编号搜索意图）' });
  const chosenId = h('small', { className: 'chosen-id' });
  const list = h('ul', { className: 'picker-list', role: 'listbox', hidden: true });
  const byName = new Map(intents.map((i) => [i.name, i]));

  const render = () => {
    const terms = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    // While the box shows the chosen intent's own description, list everything.
    const query = value && input.value === byName.get(value)?.description ? [] : terms;
    shown = intents.filter((i) => query.every((term) => `${i.description} ${i.question} ${i.name}`.toLowerCase().includes(term)));
    active = Math.min(active, shown.length - 1);
    list.replaceChildren(...(shown.length ? shown.map((i, index) => h('li', {
      role: 'option', 'data-value': i.name, className: [index === active ? 'active' : '', isEmergency(i.name) ? 'emergency' : ''].join(' ').trim(),
      onmousedown: (event) => { event.preventDefault(); choose(i.name); },
    }, h('span', { className: 'desc', text: i.description }), h('span', { className: 'id', text: `${i.name} · ${i.question}` }))) : [h('li', { className: 'empty', text: '没有匹配的意图' })]));
  };
  const open = () => { render(); list.hidden = false; input.setAttribute('aria-expanded', 'true'); };
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
  const choose = (name) => {
    value = name;
    const intent = byName.get(name);
    input.value = intent ? intent.description : '';
    input.classList.toggle('chosen', Boolean(intent));
    chosenId.textContent = intent ? `${name}${isEmergency(name) ? ' · 紧急类意图：发布时需输入确认语' : ''}` : '';
    chosenId.classList.toggle('emergency', Boolean(intent) && isEmergency(name));
    close();
    onChange(value);
  };
  input.addEventListener('focus', open);
  input.addEventListener('blur', close);
  input.addEventListener('input', () => {
    // Typing starts a new search: the earlier choice no longer holds.
    if (value) { value = ''; input.classList.remove('chosen'); chosenId.textContent = ''; chosenId.classList.remove('emergency'); onChange(''); }
    active = -1;
    open();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) open();
      active = Math.max(0, Math.min(shown.length - 1, active + (event.key === 'ArrowDown' ? 1 : -1)));
      render();
      list.querySelector('li.active')?.scrollIntoView({ block: 'nearest' });
    } else if (event.key === 'Enter' && !list.hidden && shown[active]) {
      event.preventDefault();
      choose(shown[active].name);
    } else if (event.key === 'Escape') close();
  });
  if (initial && byName.has(initial)) choose(initial);
  return { node: h('div', { className: 'picker' }, input, list, chosenId), value: () => value };
}

/** The turns of the chat around one message, with the bot's replies, loaded when asked for. */
function contextToggle(exchangeId, holder) {
  let panel;
  const button = h('button', { type: 'button', className: 'link show-context', text: '上下文', onclick: async () => {
    if (panel) { panel.remove(); panel = undefined; button.textContent = '上下文'; return; }
    try {
      const context = await api('GET', `/api/admin/inbox/context/${encodeURIComponent(exchangeId)}`);
      panel = h('div', { className: 'context', 'data-for': exchangeId },
        context.earlier ? h('p', { className: 'muted', text: '… 更早的对话未显示' }) : null,
        context.turns.map((turn) => h('div', { className: `turn${turn.current ? ' current' : ''}` },
          h('div', {}, h('span', { className: 'who', text: `${turn.at.replace('T', ' ').slice(5, 16)} 市民` }), h('span', { className: 'said', text: turn.text })),
          h('div', {}, h('span', { className: 'who', text: `机器人（${turn.intent}）` }), h('span', { className: 'said', text: turn.reply })))),
        context.later ? h('p', { className: 'muted', text: '… 之后的对话未显示' }) : null);
      holder.append(panel);
      button.textContent = '收起上下文';
    } catch (error) { showError(error); }
  } });
  return button;
}

function group(g, data) {
  const ids = g.items.map((item) => item.exchangeId);
  const example = h('input', { className: 'example grow', value: g.text, 'aria-label': '例句' });
  const add = h('button', { type: 'button', className: 'add-example', text: '加为例句', disabled: true });
  const picker = intentPicker(data.intents, g.suggestion, (value) => { add.disabled = !value; });
  const run = async (path, body, done) => {
    try { const result = await api('POST', `/api/admin/inbox/${path}`, body); toast(done(result)); load(); }
    catch (error) { showError(error); }
  };
  add.addEventListener('click', () => {
    const intent = picker.value();
    if (!intent) return toast('请先选择意图', 'error');
    run('add-example', { exchangeIds: ids, intent, text: example.value }, () => `已加入草稿：${intent}。发布后生效。`);
  });
  const setStatus = (next) => run('status', { exchangeIds: ids, status: next }, () => `已标记为${STATUS[next]}`);
  const actions = status === 'new'
    ? h('div', { className: 'row' }, example, picker.node, add,
        h('button', { type: 'button', className: 'out-of-scope', text: '不属于本服务', title: '加为“超出服务范围”的例句：发布后机器人说明服务范围并提示拨打12348',
          onclick: () => run('out-of-scope', { exchangeIds: ids, text: example.value }, () => '已标记为不属于本服务（写入草稿，发布后生效）') }),
        h('button', { type: 'button', className: 'secondary', text: '新建意图', onclick: () => {
          location.href = `/console/knowledge#new-intent=${encodeURIComponent(example.value)}`;
        } }),
        h('button', { type: 'button', className: 'danger ignore', text: '忽略', onclick: () => setStatus('ignored') }))
    : h('button', { type: 'button', className: 'secondary reopen', text: '移回待处理', onclick: () => setStatus('new') });
  // Say why the picker is empty when the bot did have a guess.
  const unused = !g.guess || g.suggestion ? '' : g.guess.score < data.threshold ? `，低于阈值 ${data.threshold}，未预选` : '，紧急类意图不预选';
  const guess = g.guess ? `机器人猜测：${g.guess.intent}（${g.guess.score.toFixed(2)}${unused}）` : '';
  const slot = h('div', { className: 'context-slot' });
  return h('div', { className: 'group', 'data-id': g.id },
    h('div', { className: 'leader' },
      h('strong', { className: 'group-text', text: g.text }), ' ', h('span', { className: 'pill', text: `×${g.size}` }), ' ',
      g.reasons.map((r) => h('span', { className: 'pill warn', text: REASONS[r] || r })), ' ',
      h('span', { className: 'muted', text: `回答：${g.answered}` }),
      guess ? h('span', { className: 'muted guess', text: ` · ${guess}` }) : null,
      ' ', contextToggle(g.id, slot)),
    g.reply ? h('div', { className: 'bot-reply', title: '机器人当时的回复', text: `机器人回复：${g.reply}` }) : null,
    slot,
    g.size > 1 ? h('ul', { className: 'texts' }, g.items.slice(1, 6).map((item) => {
      const li = h('li', {}, h('span', { text: item.text }), ' ');
      li.append(contextToggle(item.exchangeId, li));
      return li;
    })) : null,
    actions,
  );
}

start('inbox').then(load);
