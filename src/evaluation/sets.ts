import type { BenchQuestion } from './question.ts';

/**
 * The evaluation files in eval/: single messages (one JSON object a line) and dialogues
 * ({"id","turns":[{text, topic, intent?, mustContain?}]}). Pure parsing: the caller reads files.
 */

export interface EvalQuestion extends BenchQuestion {
  topic: string;
  style?: string;
}

export interface Dialogue {
  id: string;
  turns: EvalQuestion[];
}

export function parseEvalQuestions(content: string, file: string): EvalQuestion[] {
  return lines(content, file).map(({ value, where }) => question(value, where, String(value.id ?? where)));
}

export function parseDialogues(content: string, file: string): Dialogue[] {
  return lines(content, file).map(({ value, where }) => {
    if (!Array.isArray(value.turns) || value.turns.length === 0) throw new Error(`${where}：缺少 turns`);
    const id = String(value.id ?? where);
    return { id, turns: value.turns.map((turn, i) => question(turn as Record<string, unknown>, `${where} turns[${i}]`, `${id}#${i + 1}`)) };
  });
}

/** Every text in a file of either kind (for the leak check). */
export function evalTexts(content: string, file: string): Array<{ text: string; where: string }> {
  return lines(content, file).flatMap(({ value, where }) =>
    Array.isArray(value.turns)
      ? value.turns.map((turn, i) => ({ text: String((turn as Record<string, unknown>).text ?? ''), where: `${where} turns[${i}]` }))
      : [{ text: String(value.text ?? ''), where }],
  );
}

function lines(content: string, file: string): Array<{ value: Record<string, unknown>; where: string }> {
  return content.split(/\r?\n/).flatMap((line, index) => {
    if (!line.trim()) return [];
    const where = `${file}:${index + 1}`;
    try {
      return [{ value: JSON.parse(line) as Record<string, unknown>, where }];
    } catch {
      throw new Error(`${where}：不是有效的 JSON`);
    }
  });
}

function question(value: Record<string, unknown>, where: string, id: string): EvalQuestion {
  if (typeof value.text !== 'string' || typeof value.topic !== 'string') throw new Error(`${where}：需要 text 和 topic`);
  return {
    id: typeof value.id === 'string' ? value.id : id,
    text: value.text,
    topic: value.topic,
    ...(typeof value.intent === 'string' ? { intent: value.intent } : {}),
    ...(Array.isArray(value.mustContain) ? { mustContain: value.mustContain.map(String) } : {}),
    ...(typeof value.style === 'string' ? { style: value.style } : {}),
  };
}
