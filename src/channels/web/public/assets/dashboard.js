// Dashboard: messages per day, topics, fallback rate, feedback, facts due for review.
const { h, api, showError, barChart, columnChart, pct, start } = window.ConsoleKit;

start('dashboard').then(async () => {
  const content = document.getElementById('content');
  try {
    const s = await api('GET', '/api/staff/dashboard');
    const label = (topic) => (s.labels[topic] ? `${s.labels[topic]}` : topic === 'none' ? '未理解' : topic);
    const figure = (title, value, id) => h('div', { className: 'card' }, h('div', { className: 'muted', text: title }), h('div', { id, text: value, className: 'big' }));
    content.replaceChildren(
      h('div', { className: 'grid2', id: 'figures' },
        figure('消息总数', String(s.total), 'total'),
        figure('未理解率（兜底）', pct(s.fallbackRate), 'fallback-rate'),
        figure('好评 / 差评', `${s.feedback.up} / ${s.feedback.down}（好评率 ${pct(s.feedback.upRate)}）`, 'feedback')),
      h('div', { className: 'card' }, h('h2', { text: '每日消息数（红色为未理解）' }),
        columnChart(s.perDay.map((d) => ({ label: d.day.slice(5), value: d.count, part: d.fallback })))),
      h('div', { className: 'card' }, h('h2', { text: '主题分布' }),
        s.topics.length ? barChart(s.topics.map((t) => ({ label: label(t.topic), value: t.count, color: t.topic === 'none' ? '#c0392b' : undefined })), { label: 170 }) : h('p', { className: 'muted', text: '暂无消息' })),
      h('div', { className: 'card', id: 'overdue' }, h('h2', { text: `已过复核日期的事实（${s.overdueFacts.length}）` }),
        s.overdueFacts.length
          ? h('table', {}, h('thead', {}, h('tr', {}, ['事实', '主题', '复核日期'].map((t) => h('th', { text: t })))),
              h('tbody', {}, s.overdueFacts.map((f) => h('tr', {}, h('td', {}, h('code', { text: f.id })), h('td', { text: label(f.topic) }), h('td', { className: 'error', text: f.reviewBy })))))
          : h('p', { className: 'ok', text: '没有过期的事实' })),
    );
  } catch (error) { showError(error, content); }
});
