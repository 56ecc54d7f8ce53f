import type { EngineInput } from './types.ts';

/**
 * How a citizen's input reads in stored exchanges and in the turns shown to staff at a
 * handoff: the text itself, or a short marker for a button or a sticker. Callers mask it.
 */
export function describeInput(input: EngineInput): string {
  switch (input.kind) {
    case 'text':
      return input.text;
    case 'intent':
      return `[按钮] ${input.intent}`;
    case 'choice':
      return `[选择] ${input.value}`;
    case 'unsupported':
      return `[${input.what}]`;
  }
}
