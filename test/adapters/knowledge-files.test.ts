import { describe, expect, it } from 'vitest';
import { loadKnowledgeFromDisk } from '../../src/adapters/knowledge-files.ts';
import { formatIssue } from '../../src/lib/issues.ts';

const load = (name: string) =>
  loadKnowledgeFromDisk({ intentsDir: `test/fixtures/broken/${name}/intents`, dataDir: `test/fixtures/broken/${name}/data` });

describe('loading admin-edited files', () => {
  it('loads the fixture knowledge base without errors', async () => {
    const result = await loadKnowledgeFromDisk({ intentsDir: 'test/fixtures/kb/intents', dataDir: 'test/fixtures/kb/data' });
    expect(result.kb?.intents.length).toBeGreaterThan(3);
    expect(result.kb?.flows.map((f) => f.id)).toEqual(['legal_aid_check']);
  });

  it('reports malformed YAML with the file and line', async () => {
    const { kb, issues } = await load('malformed');
    expect(kb).toBeUndefined();
    const issue = issues.find((i) => i.code === 'E_YAML');
    expect(issue?.file).toContain('malformed/intents/legal_aid.yaml');
    expect(issue?.line).toBeGreaterThan(1);
  });

  it('reports every schema problem of a file at once, naming the intent and field', async () => {
    const { issues } = await load('missing-field');
    const lines = issues.map(formatIssue);
    expect(lines.some((l) => l.includes('intents[0].description'))).toBe(true);
    expect(lines.some((l) => l.includes('intents[0].examples') && l.includes('至少需要12条例句'))).toBe(true);
    expect(issues.find((i) => i.path === 'intents[0].description')?.line).toBe(4);
  });

  it('reports a corrupt facts file by path instead of crashing', async () => {
    const { kb, issues } = await load('corrupt-facts');
    expect(kb).toBeUndefined();
    expect(issues[0]).toMatchObject({ code: 'E_JSON' });
    expect(issues[0]?.file).toContain('corrupt-facts/data/facts/mediation.json');
  });

  it('reports a binary file as unreadable data', async () => {
    const { kb, issues } = await load('binary');
    expect(kb).toBeUndefined();
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.file).toContain('binary/intents/legal_aid.yaml');
  });
});
