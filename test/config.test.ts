import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('handoff settings', () => {
  it('defaults to office hours on weekdays and a 5-minute presence window', () => {
    const config = loadConfig({});
    expect(config.HANDOFF_HOURS.text).toBe('周一至周五 08:30-17:30');
    expect(config.HANDOFF_STAFF_SEEN_MINUTES).toBe(5);
  });

  it('takes 关闭 to switch online handoff off', () => {
    expect(loadConfig({ HANDOFF_HOURS: '关闭' }).HANDOFF_HOURS.windows).toEqual([]);
  });

  it('refuses hours it cannot read, naming the variable and showing the expected form in Chinese', () => {
    let error: unknown;
    try {
      loadConfig({ HANDOFF_HOURS: '上班时间', HANDOFF_STAFF_SEEN_MINUTES: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('HANDOFF_HOURS: 无法识别“上班时间”');
    expect(message).toContain('周一至周五 08:30-17:30');
    expect(message).toContain('HANDOFF_STAFF_SEEN_MINUTES'); // every problem at once
  });
});
