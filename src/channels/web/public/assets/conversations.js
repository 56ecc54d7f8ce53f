// 对话记录: whole conversations (masked) by date range, channel, topic and outcome; one opens as a transcript.
const { h, api, showError, start } = window.ConsoleKit;

const KIND = {
  answer: '已回答', no_fact: '无对应事实（转12348）', clarify: '没听懂（追问）', ambiguous: '请用户选择', emergency: '紧急求助',
  handoff: '转人工', flow: '引导流程', menu: '主题菜单', unsupported: '非文字消息', invalid: '无效输入',
};
const DECIDED = {
  emergency: '紧急规则', rule: '关键词规则', classifier: '分类器', context: '上下文', button: '按钮',
  flow: '引导流程', fallback: '兜底（未理解）', input: '输入检查',
};
const OUTCOMES = { handoff: '转人工', down: '有差评', missed: '有没听懂' };

// The filters live in the address bar, so a reload or a shared link shows the same list.
const params = new URLSearchParams(location.search);
const filters = {
  from: params.get('from') || '', to: params.get('to') || '', channel: params.get('channel') || '',
  topic: params.get('topic') || '', outcome: params.get('outcome') || '', page: Number(params.get('page')) || 1,
};
const tz = String(-new Date().getTimezoneOffset());
const time = (at) => new Date(at).toLocaleString('zh-CN', { hour12: false });
let labels = {};
let channelLabels = {};
const topicName = (topic) => labels[topic] || (topic === 'none' ? '未理解' : topic);

function query() {
  const q = new URLSearchParams({ tz });
  for (const [key, value] of Object.entries(filters)) if (value && !(key === 'page' && value === 1)) q.set(key, String(value));
  return q;
}

async function load() {
  const list = document.getElementById('list');
  try {
    const data = await api('GET', `/api/staff/conversations?${query()}`);
    ({ labels, channelLabels } = data);
    document.getElementById('about').textContent = `同一聊天沉默超过 ${data.ttlMinutes} 分钟即算新对话。号码已打码；访客为聊天的代号，不显示真实账号。`;
    Object.assign(filters, { from: data.range.from, to: data.range.to, page: data.page });
    const shown = query();
    shown.delete('tz');
    history.replaceState(null, '', `${location.pathname}?${shown}${location.hash}`);
    document.getElementById('filters').replaceWith(filterForm(data));
    // replaceChildren would print a null as text: only the nodes wanted.
    list.replaceChildren(...[
      pager(data),
      data.conversations.length ? table(data.conversations) : h('p', { className: 'muted', id: 'empty', text: '这段时间没有符合条件的对话' }),
      data.pages > 1 ? pager(data) : null,
    ].filter(Boolean));
  } catch (error) { showError(error, list); }
}

function filterForm(data) {
  const all = Object.values(data.channels).reduce((sum, n) => sum + n, 0);
  const select = (id, label, options) => h('label', {}, label, h('select', { id },
    options.map(([value, text]) => h('option', { value, text, selected: filters[id] === value }))));
  return h('form', { className: 'card row', id: 'filters', onsubmit: (event) => {
    event.preventDefault();
    for (const key of ['from', 'to', 'channel', 'topic', 'outcome']) filters[key] = document.getElementById(key).value;
    filters.page = 1;
    load();
  } },
    h('label', {}, '开始日期', h('input', { type: 'date', id: 'from', value: filters.from, required: true })),
    h('label', {}, '结束日期', h('input', { type: 'date', id: 'to', value: filters.to, required: true })),
    select('channel', '渠道', [['', `全部（${all}）`], ...['web', 'telegram'].map((c) => [c, `${channelLabels[c]}（${data.channels[c] || 0}）`])]),
    select('topic', '主题', [['', '全部主题'], ...Object.entries(labels)]),
    select('outcome', '情况', [['', '全部'], ...Object.entries(OUTCOMES)]),
    h('button', { type: 'submit', text: '查询' }));
}

function pager(data) {
  const go = (next) => { filters.page = next; load(); };
  return h('div', { className: 'row pager' },
    h('button', { type: 'button', className: 'secondary prev', text: '上一页', disabled: data.page <= 1, onclick: () => go(data.page - 1) }),
    h('span', { className: 'muted page-info', text: `第 ${data.page} / ${data.pages} 页 · 共 ${data.total} 段对话` }),
    h('button', { type: 'button', className: 'secondary next', text: '下一页', disabled: data.page >= data.pages, onclick: () => go(data.page + 1) }));
}

function badges(c) {
  return [
    c.handoff ? h('span', { className: 'pill warn', text: '转人工' }) : null,
    c.down ? h('span', { className: 'pill warn', text: `👎 ${c.down}` }) : null,
    c.missed ? h('span', { className: 'pill warn', text: `没听懂 ${c.missed}` }) : null,
    c.up ? h('span', { className: 'pill', text: `👍 ${c.up}` }) : null,
  ];
}

function table(conversations) {
  return h('table', { id: 'conversation-list' },
    h('thead', {}, h('tr', {}, ['开始时间', '渠道', '访客', '第一句', '轮数', '主题', '情况'].map((t) => h('th', { text: t })))),
    h('tbody', {}, conversations.map((c) => h('tr', { className: `conversation${location.hash === `#${c.id}` ? ' active' : ''}`, 'data-id': c.id, 'data-channel': c.channel, tabindex: 0,
      onclick: () => open(c.id), onkeydown: (event) => { if (event.key === 'Enter') open(c.id); } },
      h('td', { text: time(c.startedAt) }),
      h('td', { className: 'channel', text: channelLabels[c.channel] || c.channel }),
      h('td', {}, h('code', { text: c.who })),
      h('td', { className: 'first-text' }, h('a', { href: `#${c.id}`, text: c.firstText.length > 60 ? `${c.firstText.slice(0, 59)}…` : c.firstText })),
      h('td', { text: String(c.turns) }),
      h('td', { text: c.topics.map(topicName).join('、') || '—' }),
      h('td', {}, badges(c))))));
}

async function open(id) {
  const panel = document.getElementById('transcript');
  if (location.hash !== `#${id}`) history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
  for (const row of document.querySelectorAll('tr.conversation')) row.classList.toggle('active', row.dataset.id === id);
  try {
    const t = await api('GET', `/api/staff/conversations/${encodeURIComponent(id)}`);
    ({ labels, channelLabels } = t);
    panel.replaceChildren(
      h('h2', { text: `对话记录：${channelLabels[t.channel] || t.channel} · 访客 ${t.who}` }),
      h('p', { className: 'muted' }, `${time(t.startedAt)} — ${time(t.endedAt)} · ${t.turns} 轮 `, badges(t)),
      h('div', { className: 'transcript' }, t.exchanges.map(turn)),
    );
    panel.hidden = false;
    panel.scrollIntoView({ block: 'start' });
  } catch (error) { panel.hidden = false; showError(error, panel); }
}

function turn(x) {
  const vote = x.feedback === 'up' ? '👍' : x.feedback === 'down' ? '👎' : '';
  return h('div', { className: 'exchange', 'data-id': x.exchangeId },
    h('div', { className: 'said user' }, h('span', { className: 'muted', text: `市民 · ${time(x.at)}` }), h('div', { className: 'text', text: x.text })),
    h('div', { className: `said bot${x.kind === 'clarify' || x.intent === 'none' ? ' missed' : ''}` },
      h('div', { className: 'decision muted' },
        h('span', { className: 'pill', text: KIND[x.kind] || x.kind }), ' ',
        h('code', { className: 'intent', text: x.intent }), ` · ${topicName(x.topic)} · 置信度 ${x.confidence.toFixed(2)} · ${DECIDED[x.decidedBy] || x.decidedBy}`,
        vote ? h('span', { className: 'vote', text: ` · 评价 ${vote}` }) : null),
      h('div', { className: 'text', text: x.reply })));
}

start('conversations').then(() => {
  document.getElementById('content').replaceChildren(
    h('p', { className: 'muted', id: 'about' }),
    h('form', { id: 'filters' }),
    h('div', { className: 'card', id: 'list' }, h('p', { className: 'muted', text: '加载中…' })),
    h('div', { className: 'card', id: 'transcript', hidden: true }));
  load();
  if (location.hash.length > 1) open(decodeURIComponent(location.hash.slice(1)));
});
