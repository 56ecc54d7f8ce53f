import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/lib/csv.ts';

describe('CSV cells a spreadsheet cannot run as formulas', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+86 138', `"'+86 138"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['  =1+1', `"'  =1+1"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
    [' \t @x', `"' \t @x"`],
    ['\tplain', `"'\tplain"`],
    ['=HYPERLINK("http://x","点我")', `"'=HYPERLINK(""http://x"",""点我"")"`],
    ['法律援助怎么申请', '法律援助怎么申请'],
    ['a=b', 'a=b'],
    ['热线,是什么', '"热线,是什么"'],
    ['', ''],
  ])('%j → %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('writes a whole file with a BOM and CRLF, header included', () => {
    expect(toCsv([['text', 'ok'], ['=cmd|x', 'yes']])).toBe(`\uFEFFtext,ok\r\n"'=cmd|x",yes\r\n`);
  });
});
