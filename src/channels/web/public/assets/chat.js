// The citizen's chat: posts to /api/chat and renders the engine's Reply (plain text, buttons).
const log = document.getElementById('log');
const form = document.getElementById('ask');
const input = document.getElementById('text');

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function scroll() { log.scrollTop = log.scrollHeight; }

function addUser(text) {
  log.append(el('div', { className: 'msg user', textContent: text }));
  scroll();
}

function addBot(reply, exchangeId) {
  const box = el('div', { className: `msg bot ${reply.kind}` });
  box.dataset.intent = reply.intent;
  box.dataset.kind = reply.kind;
  box.append(el('div', { className: 'text', textContent: reply.text }));
  const buttons = [
    ...reply.choices.map((choice) => ({ label: choice.label, send: { choice: choice.value } })),
    ...reply.suggestions.map((s) => ({ label: s.label, send: { intent: s.intent } })),
  ];
  if (buttons.length) {
    box.append(el('div', { className: 'chips' }, buttons.map((b) =>
      el('button', { type: 'button', textContent: b.label, onclick: () => send(b.send, b.label) }))));
  }
  // 转人工 says who can help, not an answer to rate.
  if (exchangeId && !['emergency', 'invalid', 'unsupported', 'menu', 'handoff'].includes(reply.kind)) box.append(rating(exchangeId));
  log.append(box);
  scroll();
}

function rating(exchangeId) {
  const row = el('div', { className: 'rate' }, [el('span', { textContent: '这条回答有帮助吗？' })]);
  for (const [value, label] of [['up', '👍 有帮助'], ['down', '👎 没帮助']]) {
    const button = el('button', { type: 'button', textContent: label });
    button.setAttribute('aria-pressed', 'false');
    button.dataset.value = value;
    button.onclick = async () => {
      try {
        await post('/api/chat/feedback', { exchangeId, value });
        row.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
        row.firstChild.textContent = '谢谢您的反馈';
      } catch (error) {
        row.firstChild.textContent = error.message; // e.g. 429 "发送太快了…"
      }
    };
    row.append(button);
  }
  return row;
}

// The server's own message (429 too fast, 413 too long…) is what the citizen should read.
async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || '系统暂时出错，请稍后再试；法律咨询请拨打12348。');
    error.status = response.status;
    throw error;
  }
  return data;
}

function addNotice(text, kind = 'invalid') {
  log.append(el('div', { className: `msg bot ${kind}`, textContent: text }));
  scroll();
}

// === 转人工: while a case is open the page asks for staff replies every few seconds. Polling
// rather than server-sent events: a plain short GET passes nginx and any other proxy without
// special settings, and the reply waits in the server's store, so nothing is lost while the
// connection, the page or the server restarts.
const POLL_MS = 3000;
const AFTER_KEY = 'handoffAfter'; // `<case id>.<events read>`, kept across reloads of this browser
let pollTimer;
let polling = false; // a request is out: never two chains of polls

const remembered = () => { try { return localStorage.getItem(AFTER_KEY); } catch { return null; } };
const remember = (value) => { try { value ? localStorage.setItem(AFTER_KEY, value) : localStorage.removeItem(AFTER_KEY); } catch { /* private mode: only this page view follows the case */ } };

function addStaff(text) {
  log.append(el('div', { className: 'msg staff' }, [el('div', { className: 'who', textContent: '工作人员' }), el('div', { className: 'text', textContent: text })]));
  scroll();
}

async function poll(after = remembered()) {
  clearTimeout(pollTimer);
  pollTimer = undefined;
  polling = true;
  const before = remembered();
  let data;
  try {
    const response = await fetch(`/api/chat/updates${after ? `?after=${encodeURIComponent(after)}` : ''}`, { cache: 'no-store' });
    if (!response.ok) throw new Error(String(response.status));
    data = await response.json();
  } catch {
    pollTimer = setTimeout(poll, POLL_MS * 3); // offline for a moment: try again, a little later
    return;
  } finally {
    polling = false;
  }
  for (const message of data.messages) addStaff(message.text);
  if (data.handoff && data.handoff.notice) addNotice(data.handoff.notice, 'closed');
  if (remembered() !== before) {
    pollTimer = setTimeout(poll, POLL_MS); // a case was opened while this answer was on its way
    return;
  }
  remember(data.handoff && data.handoff.open ? data.after : null);
  if (data.handoff && data.handoff.open) pollTimer = setTimeout(poll, POLL_MS);
}

function follow(caseId) {
  const after = remembered();
  if (!after || !after.startsWith(`${caseId}.`)) remember(`${caseId}.0`);
  if (!pollTimer && !polling) pollTimer = setTimeout(poll, POLL_MS);
}

async function send(body, shown) {
  if (shown) addUser(shown);
  try {
    const { reply, exchangeId, handoff } = await post('/api/chat', body);
    addBot(reply, exchangeId);
    if (handoff) follow(handoff.id);
  } catch (error) {
    addNotice(error.message);
    // Too long or too fast: give the text back so it can be split or sent again, not retyped.
    if ((error.status === 413 || error.status === 429) && body.text && !input.value) input.value = body.text;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  send({ text }, text);
});

document.getElementById('menu').onclick = async () => {
  const { reply } = await (await fetch('/api/chat/menu')).json();
  addBot(reply);
};

document.getElementById('forget').onclick = async () => {
  if (!confirm('确定删除本浏览器在本服务上的对话记录吗？')) return;
  try {
    await post('/api/chat/forget', {});
  } catch (error) {
    addNotice(error.message);
    return;
  }
  log.textContent = '';
  clearTimeout(pollTimer);
  pollTimer = undefined;
  remember(null);
  document.getElementById('menu').click();
};

document.getElementById('menu').click();
// A reload empties the log: show the open case's staff replies from its start again (and a
// close that happened while the page was away).
const earlier = remembered();
poll(earlier ? `${earlier.split('.')[0]}.0` : undefined);
