import fc from 'fast-check';
import { Client, type ChatResponse, type HttpResult } from './http.ts';
import { buildBody, fillPath, fuzzCase, ROUTES, type Context } from './http-cases.ts';
import { createProject, freePort, startServer, type Project, type RunningServer } from './server.ts';
import { createRandom } from './stats.ts';

/**
 * Every HTTP route of the running server, fed the requests of http-cases.ts in a seeded order.
 * Console routes are sent logged in, with the CSRF token. Counted: 5xx answers, requests left
 * without an answer, and server processes that died (the server is then started again).
 */

export interface HttpFuzzResult {
  seed: number;
  cases: number;
  expensiveCases: number;
  statuses: Record<string, number>;
  serverErrors: number;
  serverCrashes: number;
  /** Requests that got no answer while the server stayed up (time-outs, resets). */
  unanswered: number;
  /** Bodies over the cap that the server refused by closing the connection mid-upload. */
  hugeClosed: number;
  examples: { route: string; status: number; body: string }[];
  ms: number;
}

export interface FuzzServer {
  project: Project;
  server: RunningServer;
  env: Record<string, string>;
  port: number;
  admin: Client;
  stop(): Promise<void>;
}

/** A server over a temp project for fuzzing and the browser check (SESSION_SECRET keeps logins across restarts). */
export async function startFuzzServer(): Promise<FuzzServer> {
  const project = await createProject('reliability-fuzz-');
  const port = await freePort();
  const env = { ...project.env, SESSION_SECRET: 'reliability-fuzz-session-secret' };
  const fuzz: FuzzServer = {
    project,
    server: await startServer({ env, port }),
    env,
    port,
    admin: new Client(''),
    async stop() {
      await fuzz.server.stop();
      await project.remove();
    },
  };
  fuzz.admin.baseUrl = fuzz.server.url;
  const login = await fuzz.admin.login();
  if (login.status !== 200) throw new Error(`fuzz server: admin login failed (${login.status})`);
  return fuzz;
}

export async function fuzzHttp(target: FuzzServer, options: { cases: number; seed: number; expensiveCases: number }): Promise<HttpFuzzResult> {
  const { env, port } = target;
  const random = createRandom(options.seed);
  const citizen = new Client(target.server.url);
  const stranger = new Client(target.server.url);
  const context: Context = { exchangeIds: [], intents: [], facts: [], historyIds: [] };
  const result: HttpFuzzResult = {
    seed: options.seed,
    cases: 0,
    expensiveCases: 0,
    statuses: {},
    serverErrors: 0,
    serverCrashes: 0,
    unanswered: 0,
    hugeClosed: 0,
    examples: [],
    ms: 0,
  };

  const refreshContext = async () => {
    const draft = await target.admin.request<{ intents?: Context['intents']; facts?: Context['facts'] }>('GET', '/api/admin/draft');
    if (draft.body?.intents) context.intents = draft.body.intents;
    if (draft.body?.facts) context.facts = draft.body.facts;
    const history = await target.admin.request<{ entries?: { id: string }[] }>('GET', '/api/admin/history');
    context.historyIds = history.body?.entries?.map((entry) => entry.id) ?? [];
  };
  await refreshContext();

  const started = performance.now();
  const cases = fc.sample(fuzzCase, { seed: options.seed, numRuns: options.cases });
  for (const [index, item] of cases.entries()) {
    let route = item.route;
    if (route.expensive) {
      if (result.expensiveCases >= options.expensiveCases) route = ROUTES[index % 10]!; // a public route instead
      else result.expensiveCases += 1;
    }
    const client = route.auth ? target.admin : route.path === '/api/logout' || route.path === '/api/login' ? stranger : citizen;
    const caseRandom = createRandom(item.pick);
    const path = fillPath(route.path, caseRandom, context, item.text);
    const body = buildBody(route, item, caseRandom, context, result.expensiveCases < options.expensiveCases);
    if ((body as { json?: { draft?: unknown } }).json?.draft === true) result.expensiveCases += 1; // trains an engine for the draft
    const answer: HttpResult<ChatResponse & Record<string, unknown>> = await client.request(route.method, path, { ...body, timeoutMs: 120_000 });
    result.cases += 1;
    result.statuses[String(answer.status)] = (result.statuses[String(answer.status)] ?? 0) + 1;
    if (typeof answer.body?.exchangeId === 'string') context.exchangeIds.push(answer.body.exchangeId);
    if (answer.status >= 500) {
      result.serverErrors += 1;
      if (result.examples.length < 10) result.examples.push({ route: `${route.method} ${path.slice(0, 80)}`, status: answer.status, body: JSON.stringify(answer.body).slice(0, 200) });
    }
    if (answer.status === 0) {
      if (target.server.child.exitCode !== null || target.server.child.signalCode !== null || (await exitedSoon(target.server))) {
        result.serverCrashes += 1;
        if (result.examples.length < 10) result.examples.push({ route: `${route.method} ${path.slice(0, 80)}`, status: 0, body: target.server.output().slice(-300) });
        try {
          target.server = await startServer({ env, port });
        } catch (error) {
          result.examples.push({ route: 'restart', status: 0, body: String(error).slice(0, 300) });
          break; // nothing left to fuzz; the crash is already counted
        }
        await target.admin.login();
      } else if (item.shape === 'huge' && /EPIPE|ECONNRESET/.test(answer.error ?? '')) {
        result.hugeClosed += 1;
      } else {
        result.unanswered += 1;
        if (result.examples.length < 10) result.examples.push({ route: `${route.method} ${path.slice(0, 80)} (${item.shape})`, status: 0, body: answer.error ?? '' });
      }
    }
    // Draft edits change revisions; keep the shaped bodies current now and then.
    if (route.auth && route.method !== 'GET' && random.chance(0.3)) await refreshContext();
  }
  // A crash after the last answer (a background write, a timer) counts too.
  if ((await target.admin.request('GET', '/healthz')).status !== 200 && (await exitedSoon(target.server))) result.serverCrashes += 1;
  citizen.close();
  stranger.close();
  result.ms = Math.round(performance.now() - started);
  return result;
}

async function exitedSoon(server: RunningServer): Promise<boolean> {
  const outcome = await Promise.race([server.exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), 300))]);
  return outcome;
}
