// Shared by the console pages: session + CSRF, JSON API calls, DOM and SVG helpers, navigation.
(() => {
  const PAGES = [
    ['bench', '测试台', 'staff'],
    ['dashboard', '看板', 'staff'],
    ['conversations', '对话记录', 'staff'],
    ['handoffs', '在线咨询', 'staff'],
    ['inbox', '待审消息', 'admin'],
    ['knowledge', '意图与事实', 'admin'],
    ['publish', '发布与历史', 'admin'],
  ];
  let session;

  function h(tag, attrs = {}, ...children) {
    const node = tag === 'svg' || ['rect', 'text', 'line', 'g', 'title'].includes(tag)
      ? document.createElementNS('http://www.w3.org/2000/svg', tag)
      : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key === 'text') node.textContent = value;
      else if (key === 'value' && 'value' in node) node.value = value;
      else node.setAttribute(key === 'className' ? 'class' : key, value === true ? '' : value);
    }
    for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) node.append(child);
    return node;
  }

  class ApiError extends Error {
    constructor(status, data) {
      super(data.error || `请求失败（${status}）`);
      this.status = status;
      this.data = data;
    }
  }

  async function api(method, url, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && session) headers['X-CSRF-Token'] = session.csrf;
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  let toastTimer;
  function toast(message, kind = 'info') {
    let node = document.getElementById('toast');
    if (!node) document.body.append((node = h('div', { id: 'toast', role: 'status' })));
    node.textContent = message;
    node.className = `show ${kind}`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (node.className = ''), kind === 'error' ? 8000 : 3500);
  }

  /** Shows an API error: the message, and the issues list for validation errors. */
  function showError(error, where) {
    const issues = error.data && Array.isArray(error.data.issues) ? error.data.issues : [];
    toast(error.message, 'error');
    if (where) {
      where.replaceChildren(
        h('p', { className: 'error', text: error.message }),
        issues.length ? h('ul', { className: 'issues' }, issues.map((i) => h('li', { text: `${i.file}${i.line ? ':' + i.line : ''} ${i.path} — ${i.message}` }))) : null,
      );
    }
  }

  /** Horizontal bar chart as inline SVG. rows: [{ label, value, note? }]; max defaults to the largest value. */
  function barChart(rows, { max, format = (v) => String(v), width = 640, label = 120, color = '#3b6fb6' } = {}) {
    const bar = 20;
    const gap = 6;
    const top = Math.max(max ?? 0, ...rows.map((r) => r.value), 1e-9);
    const height = rows.length * (bar + gap) + gap;
    const room = width - label - 60;
    const svg = h('svg', { className: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
    rows.forEach((row, i) => {
      const y = gap + i * (bar + gap);
      const w = Math.max(1, (row.value / top) * room);
      svg.append(
        h('text', { x: label - 6, y: y + bar * 0.7, 'text-anchor': 'end', text: row.label.length > 34 ? row.label.slice(0, 33) + '…' : row.label }),
        h('rect', { x: label, y, width: w, height: bar, rx: 3, fill: row.color || color }, h('title', { text: `${row.label}: ${format(row.value)}` })),
        h('text', { x: label + w + 5, y: y + bar * 0.7, text: format(row.value) }),
      );
    });
    return svg;
  }

  /** Column chart (one column per day). rows: [{ label, value, part? }] — part is drawn darker inside. */
  function columnChart(rows, { width = 560, height = 180, color = '#3b6fb6', partColor = '#c0392b' } = {}) {
    const top = Math.max(1, ...rows.map((r) => r.value));
    const inner = height - 36;
    const step = (width - 30) / Math.max(rows.length, 1);
    const svg = h('svg', { className: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
    svg.append(h('line', { x1: 24, y1: inner + 4, x2: width, y2: inner + 4, stroke: '#c8d0da' }));
    svg.append(h('text', { x: 0, y: 12, text: String(top) }));
    rows.forEach((row, i) => {
      const x = 28 + i * step;
      const hgt = (row.value / top) * (inner - 10);
      const part = ((row.part || 0) / top) * (inner - 10);
      svg.append(h('rect', { x, y: inner + 4 - hgt, width: Math.max(2, step - 4), height: hgt, fill: color }, h('title', { text: `${row.label}: ${row.value}` })));
      if (part > 0) svg.append(h('rect', { x, y: inner + 4 - part, width: Math.max(2, step - 4), height: part, fill: partColor }));
      if (rows.length <= 16 || i % 2 === 0) svg.append(h('text', { x: x + (step - 4) / 2, y: height - 6, 'text-anchor': 'middle', text: row.label }));
    });
    return svg;
  }

  const pct = (v) => `${(v * 100).toFixed(1)}%`;

  function csvDownload(filename, content) {
    const url = URL.createObjectURL(new Blob([content], { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async function start(page) {
    const response = await fetch('/api/session');
    if (!response.ok) {
      location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      return new Promise(() => {});
    }
    session = await response.json();
    const nav = PAGES.filter(([, , role]) => role === 'staff' || session.role === 'admin').map(([id, label]) =>
      h('a', { href: `/console/${id}`, className: id === page ? 'active' : '' , text: label }));
    const logout = h('button', { type: 'button', className: 'secondary', text: '退出', onclick: async () => {
      await api('POST', '/api/logout', {});
      location.href = '/login';
    } });
    document.getElementById('top').replaceChildren(
      h('strong', { text: '乐平法律服务机器人 · 控制台' }),
      h('nav', {}, nav, h('a', { href: '/', text: '市民聊天页' })),
      h('span', { className: 'who', id: 'who', text: `${session.user}（${session.role === 'admin' ? '管理员' : '工作人员'}）` }),
      logout,
    );
    return session;
  }

  window.ConsoleKit = { h, api, toast, showError, barChart, columnChart, pct, csvDownload, start, session: () => session };
})();
