/**
 * The bot's own words (everything that is not a fact). Kept in one place so the tone is
 * consistent and a reviewer can read all of it at once. Facts live in data/facts/.
 */
import type { EngineInput } from './types.ts';

type Unsupported = Extract<EngineInput, { kind: 'unsupported' }>['what'];

export const messages = {
  botName: '乐平市公共法律服务问答助手',
  clarify: '抱歉，我没有完全明白您的问题。能换个说法，或者说说具体遇到了什么事吗？也可以从下面的主题里选一个：',
  /** For a long story the bot could not place: a person at 12348 can, so say so first. */
  clarifyStory:
    '您说的情况我没能归到本助手能回答的主题，不想随便猜。这类具体问题，建议拨打12348公共法律服务热线咨询；如果是和别人的纠纷，也可以看看下面的“人民调解”“法律援助”，或说“转人工”。',
  ambiguous: '您想问的是下面哪一个？',
  guesses: '您是不是想问下面这些？点一下即可；都不是的话，可以换个说法或从主题里选：',
  menu: '我可以回答这些方面的问题，请选择一个主题，或直接用文字描述您的问题：',
  missing: (what: string, ask: '12348' | '12345' = '12348') =>
    ask === '12345'
      ? `关于「${what}」，本助手没有经过核实的信息，不能替您猜测。这是政务服务方面的问题，请拨打12345政务服务便民热线询问。`
      : `关于「${what}」，本助手没有经过核实的信息，不能替您猜测。请拨打12348公共法律服务热线咨询。`,
  otherMatters: (labels: string[]) => `您还提到了：${labels.join('、')}。可以点下面的按钮接着问。`,
  cityFigureNote: '注：以上为乐平市2020年的数据，出自当年的工作报告，不代表现在的情况。',
  cityReportDateNote: '注：以上数字出自乐平市2020年法治政府建设报告，截至报告落款时（2021年3月），不代表现在的情况。',
  nationalRuleNote: '注：以上为全国统一的法律规定。',
  triageNote: '以上仅为一般性指引，不构成法律意见；具体情况请咨询12348或律师。',
  sourcesPrefix: '来源：',
  empty: '您发来的消息是空的。请用文字描述您想咨询的问题，例如“法律援助怎么申请”。',
  binary: '这条消息看起来不是文字（可能是乱码或文件内容），我无法识别。请直接输入文字问题。',
  emojiOnly: '收到您的表情啦。请用文字告诉我您想咨询什么，例如“邻居家漏水怎么办”。',
  truncated: '（您的消息很长，我先根据前面的部分回答；如有其他问题可以分开再问。）',
  unsupported: {
    sticker: '收到您的贴纸。我只能读懂文字，请用文字描述您的问题。',
    photo: '我暂时看不了图片。请用文字描述图片里的问题；涉及证据的材料请妥善保存原件。',
    voice: '我暂时听不了语音。请打字告诉我您的问题，或直接拨打12348公共法律服务热线。',
    audio: '我暂时听不了音频。请打字告诉我您的问题，或直接拨打12348公共法律服务热线。',
    video: '我暂时看不了视频。请用文字描述您的问题；视频如是证据请保存好原件。',
    location: '收到您的位置。本助手不提供地图导航，也没有核实过的办事地址；请用文字描述您的问题，或拨打12348。',
    contact: '收到名片。请用文字描述您想咨询的问题。',
    document: '我暂时读不了文件。请把问题用文字发给我；合同等文件请保存好原件，咨询时带上。',
    other: '这种消息我暂时无法识别，请用文字描述您的问题。',
  } satisfies Record<Unsupported, string>,
  /**
   * 转人工. The bot promises a reply only when a person can give one: within HANDOFF_HOURS and,
   * on the web, with someone on the console's 在线咨询 page (see chat/handoffs.ts).
   */
  handoff: {
    opened: (channel: 'web' | 'telegram') =>
      channel === 'web'
        ? '已为您转接人工。现在有工作人员在线，看到后会直接在这个对话里回复您，回复前面标有“工作人员”。请先不要关闭本页面；等待时可以继续补充您的情况，工作人员都能看到。急需帮助可以拨打12348公共法律服务热线。'
        : '已为您转接人工。工作人员看到后会在这里回复您，回复前面标有“👤 工作人员回复”。等待时可以继续补充您的情况，工作人员都能看到。急需帮助可以拨打12348公共法律服务热线。',
    alreadyOpen: '您已经在等待人工回复了，工作人员看到后会在这里回复您；您补充的情况他们都能看到。急需帮助可以拨打12348公共法律服务热线。',
    outsideHours: (hours: string) =>
      `现在不是在线人工服务时间（${hours}），这里暂时没有工作人员能回复您，请不要在这里等待。需要人工解答的，请拨打12348公共法律服务热线；情况紧急请直接拨打110。也可以在服务时间内再发送“转人工”。`,
    noStaff: '现在没有工作人员在线，这里暂时转不了人工，请不要在这里等待。需要人工解答的，请拨打12348公共法律服务热线；情况紧急请直接拨打110。',
    off: '这里暂未开通在线人工服务。需要人工解答的，请拨打12348公共法律服务热线；情况紧急请直接拨打110。',
    closed: '工作人员已结束本次人工咨询。还有问题可以继续提问，需要时可以再次发送“转人工”，或拨打12348公共法律服务热线。',
  },
  selfCheck: {
    intro: '法律援助自助评估（约3个问题，可随时直接提问离开）。结果只是初步判断，是否给予法律援助由法律援助机构审查决定。',
    left: '已退出法律援助自助评估。',
    /** A button of a self-check that has already finished (or expired) was pressed. */
    ended: '这次法律援助自助评估已经结束，上面的按钮不再有效。需要的话，可以点“重新评估”从头再来，或者直接输入您的问题。',
    restart: '重新评估',
    exit: '退出评估',
  },
  stateExpiredHint: '',
} as const;
