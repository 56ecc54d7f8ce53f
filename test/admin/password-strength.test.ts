import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/admin/auth.ts';
import { consolePasswordProblems, weakPasswordReason } from '../../src/admin/password-strength.ts';
import { ConfigError } from '../../src/config.ts';

describe('console password strength', () => {
  it.each([
    ['short', 'Xy7#kq2', 'admin', /至少需要 12 个字符（现在 7 个）/],
    ['one character', 'aaaaaaaaaaaaaa', 'admin', /同一个字符/],
    ['digits under 16', '202405061234', 'admin', /纯数字/],
    ['the user name', 'HotlineDesk2024', 'hotlinedesk2024', /用户名相同/],
    ['a counting run', '1234567890123456', 'admin', /重复或连续/],
    ['a keyboard row', 'qwertyuiopas', 'admin', /重复或连续/],
    ['a repeated unit', 'abcabcabcabc', 'admin', /重复或连续/],
    ['common words and digits', 'Password@2024', 'admin', /常见词/],
    ['the old test password', 'admin-pass-123', 'admin', /常见词/],
    ['leet spelling', 'P@ssw0rd12345', 'admin', /常见词/],
    ['user name plus digits', 'zhangsan-2024!', 'zhangsan', /常见词/],
  ])('refuses %s', (_name, password, user, reason) => {
    expect(weakPasswordReason(password, user)).toMatch(reason);
  });

  it.each([
    ['unrelated words', 'river-lamp-orchid-42'],
    ['16 random digits', '8302957146620391'],
    ['Chinese and digits', '鄱阳湖边上的柳树2024年'],
    ['random base64', 'k3Jx_9qPz-LmW2'],
  ])('accepts %s', (_name, password) => {
    expect(weakPasswordReason(password, 'admin')).toBeUndefined();
  });

  it('names every weak variable in one start-up error', () => {
    const problems = consolePasswordProblems({ ADMIN_PASSWORD: 'admin123', STAFF_USER: 'desk', STAFF_PASSWORD: 'desk-desk-desk' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^ADMIN_PASSWORD: 密码太弱/);
    expect(problems[1]).toMatch(/^STAFF_PASSWORD: 密码太弱/);
    expect(() => createAccounts({ ADMIN_PASSWORD: 'password1234' })).toThrow(ConfigError);
  });

  it('generates one-time passwords that pass the rule', () => {
    for (let run = 0; run < 20; run += 1) {
      const { generated } = createAccounts({});
      expect(weakPasswordReason(generated!.password, 'admin')).toBeUndefined();
    }
  });

  it('stops npm start with a Chinese message naming the variable', async () => {
    const env = { ...process.env, ADMIN_PASSWORD: 'password1234', BOT_TOKEN: '', LOG_LEVEL: 'silent' };
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, encoding: 'utf8', timeout: 20_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ADMIN_PASSWORD: 密码太弱');
    expect(result.stderr).toContain('请对照 .env.example');
  });
});
