/**
 * Callback data carried by inline buttons. Telegram limits it to 64 bytes and hands it back
 * verbatim, so anyone can forge it: `parseCallbackData` accepts only the shapes below and the
 * handlers still check what it names (an intent that no longer exists, an exchange of another
 * chat) before acting.
 */

export type CallbackAction =
  | { kind: 'intent'; intent: string }
  | { kind: 'choice'; value: string }
  | { kind: 'feedback'; value: 'up' | 'down'; exchangeId: string }
  | { kind: 'handoff' }
  | { kind: 'forget'; confirmed: boolean };

export const CALLBACK_DATA_MAX_BYTES = 64;

const INTENT = /^[a-z_]+\.[a-z0-9_]+$/;
// Both id forms: day-random (older) and day-offset-random (see adapters/runtime-store.ts).
const EXCHANGE_ID = /^\d{8}-[0-9a-z]{1,32}(?:-[0-9a-f]{4,12})?$/;

export function encodeCallbackData(action: CallbackAction): string {
  switch (action.kind) {
    case 'intent':
      return `i:${action.intent}`;
    case 'choice':
      return `c:${action.value}`;
    case 'feedback':
      return `f:${action.value === 'up' ? 'u' : 'd'}:${action.exchangeId}`;
    case 'handoff':
      return 'h';
    case 'forget':
      return `x:${action.confirmed ? 'y' : 'n'}`;
  }
}

/** True when the encoded action fits in Telegram's 64-byte limit. */
export function fitsCallbackData(action: CallbackAction): boolean {
  return Buffer.byteLength(encodeCallbackData(action), 'utf8') <= CALLBACK_DATA_MAX_BYTES;
}

export function parseCallbackData(data: string): CallbackAction | undefined {
  if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) return undefined;
  if (data === 'h') return { kind: 'handoff' };
  if (data === 'x:y' || data === 'x:n') return { kind: 'forget', confirmed: data === 'x:y' };
  const [prefix, ...rest] = data.split(':');
  const body = rest.join(':');
  if (prefix === 'i' && INTENT.test(body)) return { kind: 'intent', intent: body };
  if (prefix === 'c' && body.length > 0 && !/[\u0000-\u001f]/.test(body)) return { kind: 'choice', value: body };
  if (prefix === 'f') {
    const [vote, exchangeId = ''] = rest;
    if ((vote === 'u' || vote === 'd') && rest.length === 2 && EXCHANGE_ID.test(exchangeId)) {
      return { kind: 'feedback', value: vote === 'u' ? 'up' : 'down', exchangeId };
    }
  }
  return undefined;
}
