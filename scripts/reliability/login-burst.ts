import { Client, sleep, type ChatResponse } from './http.ts';
import { ADMIN_PASSWORD, ADMIN_USER, createProject, startServer } from './server.ts';
import { percentile, questions, round } from './stats.ts';

/**
 * A password-guessing burst: many wrong console logins at once from one address, with the real
 * password somewhere inside, while a citizen chats. Reports what the login limiter answered and
 * what the burst cost the chat. LOGIN_MAX_FAILURES is left at its default on purpose.
 */

export interface LoginBurstOptions {
  attempts: number;
  /** 1-based position of the one attempt with the right password. */
  rightAt: number;
}

export interface LoginBurstResult {
  attempts: number;
  rightAt: number;
  statuses: Record<string, number>;
  rightPasswordStatus: number;
  rightPasswordLoggedIn: boolean;
  burstMs: number;
  chat: { before: { p50Ms: number; p99Ms: number; n: number }; during: { p50Ms: number; p99Ms: number; n: number; failed: number } };
}

export async function loginBurst(options: LoginBurstOptions): Promise<LoginBurstResult> {
  const project = await createProject('reliability-login-');
  const server = await startServer({ env: project.env });
  try {
    const citizen = new Client(server.url);
    const pool = questions();
    const ask = async (index: number) => citizen.request<ChatResponse>('POST', '/api/chat', { json: { text: pool[index % pool.length] } });

    const before: number[] = [];
    for (let index = 0; index < 40; index += 1) before.push((await ask(index)).ms);

    const during: number[] = [];
    let failed = 0;
    let bursting = true;
    const chatting = (async () => {
      for (let index = 0; bursting; index += 1) {
        const answer = await ask(index);
        if (answer.status === 200) during.push(answer.ms);
        else failed += 1;
      }
    })();
    await sleep(20); // the chat is mid-conversation when the burst arrives

    const started = performance.now();
    const attempts = await Promise.all(
      Array.from({ length: options.attempts }, async (_, index) => {
        const attacker = new Client(server.url);
        const right = index + 1 === options.rightAt;
        const answer = await attacker.request('POST', '/api/login', {
          json: { user: ADMIN_USER, password: right ? ADMIN_PASSWORD : `wrong-${index}-${ADMIN_PASSWORD}` },
        });
        attacker.close();
        return answer.status;
      }),
    );
    const burstMs = performance.now() - started;
    bursting = false;
    await chatting;
    citizen.close();

    const statuses: Record<string, number> = {};
    for (const status of attempts) statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    const rightPasswordStatus = attempts[options.rightAt - 1] ?? 0;
    return {
      attempts: options.attempts,
      rightAt: options.rightAt,
      statuses,
      rightPasswordStatus,
      rightPasswordLoggedIn: rightPasswordStatus === 200,
      burstMs: Math.round(burstMs),
      chat: {
        before: { p50Ms: round(percentile(before, 50)), p99Ms: round(percentile(before, 99)), n: before.length },
        during: { p50Ms: round(percentile(during, 50)), p99Ms: round(percentile(during, 99)), n: during.length, failed },
      },
    };
  } finally {
    await server.stop();
    await project.remove();
  }
}
