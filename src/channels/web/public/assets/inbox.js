// Review inbox: grouped messages the bot missed, a page at a time; add one as an example, or dismiss the group.
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
    const options = data.intents.map((i) => h('option', { value: i.name, text: `${i.name} — ${i.description}` }));
    content.replaceChildren(
      h('p', { className: 'muted', text: '加为例句后写入草稿，发布后生效（无需重启）。' }),
      tabs,
      pager(data),
      data.groups.length ? h('div', { id: 'groups' }, data.groups.map((g) => group(g, options))) : h('p', { className: 'muted', id: 'empty', text: '没有消息' }),
      data.pages > 1 ? pager(data) : null,
    );
  } catch (error) { showError(error, content); }
}

function pager(data) {
  const go = (next) => { page = next; load(); window.scrollTo(0, 0); };
  return h('div', { className: 'row pager' },
    h('button', { type: 'button', className: 'secondary prev', text: '上一页', disabled: data.page <= 1, onclick: () => go(data.page - 1) }),
    h('span', { className: 'muted page-info', text: `第 ${data.page} / ${data.pages} 页 · 共 ${data.totalGroups} 组、${data.counts[status]} 条消息` }),
    h('button', { type: 'button', className: 'secondary next', text: '下一页', disabled: data.page >= data.pages, onclick: () => go(data.page + 1) }));
}

function group(g, options) {
  const ids = g.items.map((item) => item.exchangeId);
  const select = h('select', { className: 'intent-select', 'aria-label': '意图' }, options.map((o) => o.cloneNode(true)));
  const initial = g.guess?.intent || g.answered;
  if (initial && initial !== 'none') select.value = initial;
  const example = h('input', { className: 'example grow', value: g.text, 'aria-label': '例句' });
  const setStatus = async (next) => {
    try { await api('POST', '/api/admin/inbox/status', { exchangeIds: ids, status: next }); toast(`已标记为${STATUS[next]}`); load(); }
    catch (error) { showError(error); }
  };
  const actions = status === 'new'
    ? [
        h('div', { className: 'row' }, example, select,
          h('button', { type: 'button', className: 'add-example', text: '加为例句', onclick: async () => {
            try {
              await api('POST', '/api/admin/inbox/add-example', { exchangeIds: ids, intent: select.value, text: example.value });
              toast(`已加入草稿：${select.value}。发布后生效。`);
              load();
            } catch (error) { showError(error); }
          } }),
          h('button', { type: 'button', className: 'secondary', text: '新建意图', onclick: () => {
            location.href = `/console/knowledge#new-intent=${encodeURIComponent(example.value)}`;
          } }),
          h('button', { type: 'button', className: 'danger ignore', text: '忽略', onclick: () => setStatus('ignored') })),
      ]
    : [h('button', { type: 'button', className: 'secondary reopen', text: '移回待处理', onclick: () => setStatus('new') })];
  return h('div', { className: 'group', 'data-id': g.id },
    h('div', {}, h('strong', { className: 'group-text', text: g.text }), ' ', h('span', { className: 'pill', text: `×${g.size}` }), ' ',
      g.reasons.map((r) => h('span', { className: 'pill warn', text: REASONS[r] || r })), ' ',
      h('span', { className: 'muted', text: `回答：${g.answered}` }),
      g.guess ? h('span', { className: 'muted guess', text: ` · 机器人猜测：${g.guess.intent}（${g.guess.score.toFixed(2)}）` }) : null),
    g.size > 1 ? h('ul', { className: 'texts' }, g.items.slice(0, 6).map((item) => h('li', { text: item.text }))) : null,
    actions,
  );
}

start('inbox').then(load);
