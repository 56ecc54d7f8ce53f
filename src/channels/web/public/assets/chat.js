// The citizen's chat: posts to /api/chat and renders the engine's Reply (plain text, buttons).
// Reply text is only ever set as text nodes: phone numbers become tel: links built here, so
// nothing a reply says can turn into markup.
import { SOURCE_PREFIX, phoneNumbers, phoneSegments, splitReply } from './chat-text.js';

const log = document.getElementById('log');
const form = document.getElementById('ask');
const input = document.getElementById('text');
const FALLBACK_ERROR = '系统暂时出错，请稍后再试；法律咨询请拨打12348。';

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

/** Text with every phone number a tap-to-call link. */
function linked(text) {
  return phoneSegments(text).map((piece) =>
    piece.tel ? el('a', { href: `tel:${piece.tel}`, className: 'tel', textContent: piece.text }) : document.createTextNode(piece.text));
}

function scroll() { log.scrollTop = log.scrollHeight; }

/**
 * Scrolls so the reply starts at the top of the log: a long answer is read from its first
 * line, not from its buttons (a short one just ends up at the bottom, as the log clamps).
 */
function reveal(box) {
  log.scrollTop = box.offsetTop - parseFloat(getComputedStyle(log).paddingTop);
}

function addUser(text) {
  log.append(el('div', { className: 'msg user', textContent: text }));
  scroll();
}

function addNotice(text, kind = 'invalid') {
  const box = el('div', { className: `msg bot ${kind}` }, [el('div', { className: 'text' }, [el('p', {}, linked(text))])]);
  log.append(box);
  reveal(box);
}

let replies = 0; // ids for aria-controls

/**
 * The reply's paragraphs, a long answer folded after its first lines behind 展开全文, and the
 * 来源 line apart in its own style. A step that asks something (choices) and a reply about
 * danger are never folded: what to do now must not wait behind a button. The button's label
 * is the only text in `.text` that is not the reply's.
 */
function replyText(reply) {
  const foldable = reply.kind !== 'emergency' && !reply.safety && reply.choices.length === 0;
  const { paragraphs, source, fold } = splitReply(reply.text, { foldable });
  const text = el('div', { className: 'text', id: `reply-${(replies += 1)}` });
  const rest = [];
  paragraphs.forEach((paragraph, index) => {
    if (!fold || index < fold.paragraph) {
      text.append(el('p', {}, linked(paragraph)));
    } else if (index === fold.paragraph && fold.chars > 0) {
      const tail = el('span', { hidden: true }, linked(paragraph.slice(fold.chars)));
      rest.push(tail);
      text.append(el('p', {}, [...linked(paragraph.slice(0, fold.chars)), tail]));
    } else {
      const node = el('p', { hidden: true }, linked(paragraph));
      rest.push(node);
      text.append(node);
    }
  });
  // The button sits right under the lines it unfolds, above the 来源 line that cites them all.
  if (rest.length) text.append(expander(text, rest));
  if (source) {
    text.append(el('p', { className: 'source' }, [el('span', { className: 'label', textContent: SOURCE_PREFIX }), ...linked(source.slice(SOURCE_PREFIX.length))]));
  }
  return text;
}

function expander(text, rest) {
  const button = el('button', { type: 'button', className: 'expand', textContent: '展开全文' });
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', text.id);
  button.onclick = () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    for (const node of rest) node.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? '收起' : '展开全文';
  };
  return button;
}

/**
 * Big call buttons heading a reply about danger: an inline number is a small target for shaky
 * hands, and the call should not wait below a long text.
 */
function callButtons(reply) {
  if (reply.kind !== 'emergency' && !reply.safety) return null;
  const numbers = phoneNumbers(reply.text).slice(0, 3);
  if (!numbers.length) return null;
  return el('div', { className: 'calls' }, numbers.map((number) =>
    el('a', { className: 'call', href: `tel:${number}`, textContent: `拨打 ${number}` })));
}

function addBot(reply, exchangeId) {
  const box = el('div', { className: `msg bot ${reply.kind}` });
  box.dataset.intent = reply.intent;
  box.dataset.kind = reply.kind;
  const calls = callButtons(reply);
  if (calls) box.append(calls);
  box.append(replyText(reply));
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
  reveal(box);
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

// A refusal (429 too fast, 413 too long…) carries its own Chinese message: that is what the
// citizen should read.
async function request(url, init) {
  const response = await fetch(url, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || FALLBACK_ERROR);
    error.status = response.status;
    throw error;
  }
  return data;
}

function post(url, body) {
  return request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
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
  // Built from text like every reply (never HTML), with phone numbers as tel: links.
  const box = el('div', { className: 'msg staff' }, [el('div', { className: 'who', textContent: '工作人员' }), el('div', { className: 'text' }, [el('p', {}, linked(text))])]);
  log.append(box);
  reveal(box);
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
  try {
    addBot((await request('/api/chat/menu')).reply);
  } catch (error) {
    addNotice(error.message);
  }
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
