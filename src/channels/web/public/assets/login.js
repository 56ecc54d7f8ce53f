const form = document.getElementById('login');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('error');
  error.textContent = '';
  const body = { user: form.user.value, password: form.password.value };
  const response = await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    error.textContent = data.error || '登录失败';
    return;
  }
  const next = new URLSearchParams(location.search).get('next');
  location.href = next && next.startsWith('/console/') ? next : data.role === 'admin' ? '/console/inbox' : '/console/bench';
});
