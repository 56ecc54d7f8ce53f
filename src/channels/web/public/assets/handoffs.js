// 在线咨询: open 转人工 cases from the web chat and Telegram, newest first. The page asks every few
// seconds; while it is open its user counts as online, which is what lets the chat promise a reply.
const { h, api, toast, showError, start } = window.ConsoleKit;
const REFRESH_MS = 5000;
const CHANNEL = { web: '网页', telegram: 'Telegram' };
const FROM = { citizen: '市民', bot: '机器人', staff: '工作人员' };
const STATE = {
  available: ['可以转人工', '市民会被告知：工作人员会在对话里回复'],
  outside_hours: ['不在服务时间', '市民会被告知：现在没有人工，请拨打12348'],
  no_staff: ['无人在线', '市民会被告知：没有工作人员在线，请拨打12348'],
  off: ['未开通', '市民会被告知：未开通在线人工，请拨打12348'],
};
const cards = new Map(); // case id → { node, count }

const time = (iso) => new Date(iso).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
const day = (iso) => new Date(iso).toLocaleDateString('zh-CN', { month: 'numeric', day: 'numeric' });

function statusLine(board) {
  const line = (label, state) => h('span', {}, `${label}：`, h('span', { className: state === 'available' ? 'state-available' : 'state-unavailable', text: STATE[state][0] }), `（${STATE[state][1]}）`);
  return [
    h('div', {}, `人工服务时间：${board.hours}　在线：${board.staffOnline.join('、') || '无'}`),
    h('div', { id: 'state-web' }, line('网页聊天', board.web)),
    board.telegram ? h('div', { id: 'state-telegram' }, line('Telegram', board.telegram)) : null,
    h('div', { text: '本页面开着就算在线。回复里的身份证号、手机号、座机号和银行卡号会被遮盖后再发出。' }),
  ];
}

function waiting(item) {
  if (item.waitingMinutes === null) return h('span', { className: 'pill waiting', text: '已回复，等待市民' });
  return h('span', { className: `pill waiting ${item.waitingMinutes >= 10 ? 'warn' : ''}`, text: `已等待 ${item.waitingMinutes} 分钟` });
}

function header(item) {
  const who = item.channel === 'web' ? `网页访客 #${item.ref}` : `Telegram 用户 ${item.ref}`;
  return h('header', {}, h('strong', { text: who }), h('span', { className: 'pill', text: CHANNEL[item.channel] }),
    h('span', { className: 'muted', text: `${day(item.openedAt)} ${time(item.openedAt)} 转人工` }), waiting(item));
}

function thread(item) {
  return h('ol', { className: 'thread' }, item.messages.map((m) =>
    h('li', { className: m.from }, h('span', { className: 'meta', text: `${FROM[m.from]}${m.by ? `（${m.by}）` : ''} ${time(m.at)}` }), m.text)));
}

function card(item) {
  const text = h('textarea', { className: 'reply grow', 'aria-label': '回复', placeholder: '回复这位市民（Ctrl+Enter 发送）', maxlength: 2000 });
  const send = h('button', { type: 'button', className: 'send', text: '发送' });
  const close = h('button', { type: 'button', className: 'danger close', text: '已结束' });
  send.onclick = async () => {
    if (!text.value.trim()) return toast('请填写回复内容', 'error');
    send.disabled = true;
    try {
      await api('POST', `/api/staff/handoffs/${item.id}/reply`, { text: text.value });
      text.value = '';
      toast('已发送');
      await load();
    } catch (error) { showError(error); } finally { send.disabled = false; }
  };
  text.addEventListener('keydown', (event) => { if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) send.click(); });
  close.onclick = async () => {
    if (!confirm('结束这次咨询？市民会看到“工作人员已结束本次人工咨询”。')) return;
    try {
      await api('POST', `/api/staff/handoffs/${item.id}/close`, {});
      toast('已结束');
      await load();
    } catch (error) { showError(error); }
  };
  return h('section', { className: 'card handoff', 'data-id': item.id }, header(item), thread(item),
    h('div', { className: 'row' }, text, h('div', { className: 'actions' }, send, close)));
}

/** Updates the cards in place, so a reply being typed and its focus survive each refresh. */
function render(board) {
  document.getElementById('status').replaceChildren(...statusLine(board).filter(Boolean));
  const list = document.getElementById('cases');
  const ids = new Set(board.cases.map((item) => item.id));
  for (const [id, entry] of cards) if (!ids.has(id)) { entry.node.remove(); cards.delete(id); }
  for (const item of [...board.cases].reverse()) { // oldest first, each new one goes on top
    const entry = cards.get(item.id);
    if (!entry) {
      const node = card(item);
      list.prepend(node);
      cards.set(item.id, { node, count: item.messages.length });
      node.querySelector('.thread').scrollTop = 1e9;
      continue;
    }
    entry.node.querySelector('header').replaceWith(header(item));
    if (entry.count !== item.messages.length) {
      entry.node.querySelector('.thread').replaceWith(thread(item));
      entry.node.querySelector('.thread').scrollTop = 1e9;
      entry.count = item.messages.length;
    }
  }
  let empty = document.getElementById('empty');
  if (board.cases.length === 0 && !empty) list.append((empty = h('p', { id: 'empty', className: 'muted', text: '目前没有等待中的咨询。' })));
  if (board.cases.length > 0 && empty) empty.remove();
  document.title = `${board.cases.length ? `(${board.cases.length}) ` : ''}在线咨询 · 控制台`;
}

async function load() {
  try {
    render(await api('GET', '/api/staff/handoffs'));
  } catch (error) { showError(error, document.getElementById('status')); }
}

start('handoffs').then(async () => {
  await load();
  setInterval(load, REFRESH_MS);
});
