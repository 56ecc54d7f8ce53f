// Dashboard over a date range (last 7 days by default): per channel, per day, per topic, 👎 per topic,
// questions not understood, facts due for review; the tables download as CSV.
const { h, api, showError, barChart, columnChart, pct, start } = window.ConsoleKit;

const params = new URLSearchParams(location.search);
const range = { from: params.get('from') || '', to: params.get('to') || '' };
const tz = String(-new Date().getTimezoneOffset());
const query = () => new URLSearchParams({ ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}), tz });

async function load() {
  const content = document.getElementById('content');
  try {
    const s = await api('GET', `/api/staff/dashboard?${query()}`);
    Object.assign(range, { from: s.range.from, to: s.range.to });
    history.replaceState(null, '', `${location.pathname}?from=${range.from}&to=${range.to}`);
    const label = (topic) => (s.labels[topic] ? `${s.labels[topic]}` : topic === 'none' ? '未理解' : topic);
    const channel = (c) => s.channelLabels[c] || c;
    const figure = (title, value, id) => h('div', { className: 'card' }, h('div', { className: 'muted', text: title }), h('div', { id, text: value, className: 'big' }));
    const table = (id, headers, rows) => h('table', { id },
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { text: t })))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => (cell instanceof Node ? h('td', {}, cell) : h('td', { text: String(cell) })))))));
    content.replaceChildren(
      rangeForm(),
      h('div', { className: 'grid2', id: 'figures' },
        figure('消息总数', String(s.total), 'total'),
        figure('对话数', String(s.conversations), 'conversations'),
        figure('未理解率（兜底）', pct(s.fallbackRate), 'fallback-rate'),
        figure('转人工', String(s.handoffs), 'handoffs'),
        figure('好评 / 差评', `${s.feedback.up} / ${s.feedback.down}（好评率 ${pct(s.feedback.upRate)}）`, 'feedback')),
      h('div', { className: 'card', id: 'channels' }, h('h2', { text: '各渠道' }),
        table('channel-table', ['渠道', '消息数', '对话数', '未理解', '转人工', '好评', '差评'],
          s.channels.map((c) => [channel(c.channel), c.messages, c.conversations, c.missed, c.handoffs, c.up, c.down])),
        barChart(s.channels.map((c) => ({ label: channel(c.channel), value: c.messages })), { label: 110 })),
      h('div', { className: 'card' }, h('h2', { text: '每日消息数（红色为未理解）' }),
        columnChart(s.perDay.map((d) => ({ label: d.day.slice(5), value: d.count, part: d.fallback })))),
      h('div', { className: 'card' }, h('h2', { text: '主题分布' }),
        s.topics.length ? barChart(s.topics.map((t) => ({ label: label(t.topic), value: t.count, color: t.topic === 'none' ? '#c0392b' : undefined })), { label: 170 }) : h('p', { className: 'muted', text: '暂无消息' })),
      h('div', { className: 'card', id: 'topic-feedback' }, h('h2', { text: '各主题差评率（👎 占已评价回答）' }),
        s.topicFeedback.length
          ? table('topic-feedback-table', ['主题', '消息数', '👍', '👎', '差评率'], s.topicFeedback.map((t) => [label(t.topic), t.messages, t.up, t.down, t.up + t.down ? pct(t.downRate) : '—']))
          : h('p', { className: 'muted', text: '暂无消息' })),
      h('div', { className: 'card', id: 'unanswered' }, h('h2', { text: '没听懂最多的问题（相似问法合并）' }),
        s.unanswered.length
          ? table('unanswered-table', ['问题', '次数', '其他问法', '最近一次'], s.unanswered.map((u) => [u.text, u.count, u.examples.join(' / ') || '—', new Date(u.lastAt).toLocaleString('zh-CN', { hour12: false })]))
          : h('p', { className: 'ok', text: '这段时间没有没听懂的问题' })),
      h('div', { className: 'card', id: 'overdue' }, h('h2', { text: `已过复核日期的事实（${s.overdueFacts.length}）` }),
        s.overdueFacts.length
          ? table('overdue-table', ['事实', '主题', '复核日期'], s.overdueFacts.map((f) => [h('code', { text: f.id }), label(f.topic), f.reviewBy]))
          : h('p', { className: 'ok', text: '没有过期的事实' })),
    );
  } catch (error) { showError(error, content); }
}

function rangeForm() {
  return h('form', { className: 'card row', id: 'range-form', onsubmit: (event) => {
    event.preventDefault();
    range.from = document.getElementById('from').value;
    range.to = document.getElementById('to').value;
    load();
  } },
    h('label', {}, '开始日期', h('input', { type: 'date', id: 'from', value: range.from, required: true })),
    h('label', {}, '结束日期', h('input', { type: 'date', id: 'to', value: range.to, required: true })),
    h('button', { type: 'submit', text: '查询' }),
    h('a', { className: 'button', id: 'download-csv', href: `/api/staff/dashboard/csv?${query()}`, text: '下载表格 CSV' }),
    h('a', { href: `/console/conversations?from=${range.from}&to=${range.to}`, text: '查看这段时间的对话记录' }));
}

start('dashboard').then(load);
