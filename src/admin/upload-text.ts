/**
 * Turns an uploaded file's bytes into text. Staff make question files in Excel or WPS, and on a
 * Chinese Windows "CSV (逗号分隔)" is saved in GBK (GB18030), not UTF-8. Read as UTF-8 it
 * becomes replacement characters, every question is scored wrong and nobody is told why; so a
 * file that is not valid UTF-8 but decodes cleanly as GB18030 (a superset of GBK) is read that
 * way and the caller says so, and anything else is refused in words staff can act on.
 */

export type UploadEncoding = 'utf-8' | 'gb18030';

export type DecodedUpload = { ok: true; text: string; encoding: UploadEncoding } | { ok: false; message: string };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Control characters no question file holds (tab, line feed and carriage return are fine). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const NOT_TEXT_MESSAGE =
  '无法识别文件编码：文件既不是 UTF-8 也不是 GBK 文本。请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”，或在 WPS 中另存为 UTF-8 编码的 CSV 后重新上传。';

export function decodeUpload(bytes: Uint8Array): DecodedUpload {
  const hasBom = UTF8_BOM.every((byte, index) => bytes[index] === byte);
  const body = hasBom ? bytes.subarray(UTF8_BOM.length) : bytes;
  const utf8 = decodeStrict('utf-8', body);
  if (utf8 !== undefined) return CONTROL.test(utf8) ? { ok: false, message: NOT_TEXT_MESSAGE } : { ok: true, text: utf8, encoding: 'utf-8' };
  // A BOM promises UTF-8: bytes after it that are not UTF-8 are a damaged file, not GBK.
  if (hasBom) return { ok: false, message: NOT_TEXT_MESSAGE };
  const gbk = decodeStrict('gb18030', body);
  if (gbk === undefined || CONTROL.test(gbk)) return { ok: false, message: NOT_TEXT_MESSAGE };
  return { ok: true, text: gbk, encoding: 'gb18030' };
}

function decodeStrict(encoding: UploadEncoding, bytes: Uint8Array): string | undefined {
  try {
    // ignoreBOM: the UTF-8 BOM is handled above, and a GB18030 decoder has none to strip.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined; // not this encoding: the caller tries the next one or refuses
  }
}
