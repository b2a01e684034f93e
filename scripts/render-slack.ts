/**
 * The picture of docs/SLACK.md: the messages one approval produces in Slack, rendered from what the simulation really
 * publishes (the example scenario in approve mode, approved by one person, then undone by another) as AWS Chatbot shows a
 * custom notification — title, description, next steps — with the buttons the custom actions attach (lib/chatbot-actions.ts
 * criteria, evaluated on each message's variables). Writes docs/slack-messages.html, then docs/slack-messages.png with
 * headless Chromium (Debian package `chromium`, /usr/bin/chromium; CHROMIUM=… to use another).
 * Run: npx tsx scripts/render-slack.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../handlers/adapters/simulated/index.ts';
import type { ChatbotNotification } from '../handlers/core/notification.ts';
import { runScenario } from '../handlers/local/run-scenario.ts';
import { buttonSpecs } from '../lib/chatbot-actions.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HTML = join(ROOT, 'docs', 'slack-messages.html');
const PNG = join(ROOT, 'docs', 'slack-messages.png');

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Slack's mrkdwn as Chatbot passes it: *bold*, `code`, ``` blocks, bullets as written. */
function mrkdwn(text: string): string {
  return escape(text)
    .replace(/```\n?([\s\S]*?)```/g, (_m, code: string) => `<pre>${code}</pre>`)
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/\n/g, '<br>');
}

/** The buttons whose criteria hold on this message's variables (HAS_VALUE: present and not empty; EQUALS: same value). */
function buttonsFor(message: ChatbotNotification): string[] {
  const context = message.metadata.additionalContext;
  return buttonSpecs('eu-central-1').filter((spec) => spec.criteria.every((c) => {
    const path = spec.variables[c.variableName]!;
    const value = context[path.split('.').at(-1)!];
    return c.operator === 'HAS_VALUE' ? Boolean(value) : value === c.value;
  })).map((spec) => spec.buttonText);
}

function card(message: ChatbotNotification, at: string, reply: boolean): string {
  const steps = message.content.nextSteps.length ? `<div class="label">Next Steps</div><ul>${message.content.nextSteps.map((s) => `<li>${mrkdwn(s)}</li>`).join('')}</ul>` : '';
  const buttons = buttonsFor(message).map((b) => `<span class="button${b === 'Approve' ? ' primary' : b === 'Reject' || b === 'Undo' ? ' danger' : ''}">${escape(b)}</span>`).join('');
  return `<div class="message${reply ? ' reply' : ''}">
  <div class="avatar">aws</div>
  <div class="body">
    <div class="who"><b>Amazon Q</b> <span class="app">APP</span> <span class="time">${at.slice(11, 16)} UTC</span>${reply ? ' <span class="thread">in thread</span>' : ''}</div>
    <div class="attachment">
      <div class="title">${escape(message.content.title)}</div>
      <div class="description">${mrkdwn(message.content.description)}</div>
      ${steps}
      ${buttons ? `<div class="buttons">${buttons}</div>` : ''}
    </div>
  </div>
</div>`;
}

const STYLE = `body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px;color:#1d1c1d;background:#fff;margin:0;padding:16px;width:860px}
.channel{font-weight:700;font-size:16px;border-bottom:1px solid #ddd;padding-bottom:8px;margin-bottom:12px}
.message{display:flex;gap:10px;margin:10px 0}.reply{margin-left:48px}
.avatar{width:36px;height:36px;border-radius:6px;background:#232f3e;color:#ff9900;font-weight:700;display:flex;align-items:center;justify-content:center;flex:none}
.who .app{font-size:10px;background:#ddd;border-radius:3px;padding:0 3px;color:#555}.who .time,.who .thread{color:#616061;font-size:12px}
.attachment{border-left:4px solid #ff9900;padding:4px 10px;margin-top:4px}.title{font-weight:700;font-size:15px;margin-bottom:4px}
.description{line-height:1.45}.label{font-weight:700;margin-top:8px}ul{margin:4px 0;padding-left:20px}li{margin:2px 0}
code{background:#f4f4f4;border:1px solid #e0e0e0;border-radius:3px;padding:0 3px;font-size:12px;color:#c7254e}pre{background:#f8f8f8;border:1px solid #ddd;padding:6px;font-size:12px}
.buttons{margin-top:10px;display:flex;gap:8px}.button{border:1px solid #bbb;border-radius:4px;padding:4px 12px;font-weight:700;font-size:13px}
.primary{background:#007a5a;color:#fff;border-color:#007a5a}.danger{color:#e01e5a;border-color:#e01e5a}`;

async function main(): Promise<void> {
  const json = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/scenarios/example-launch-without-profile.json'), 'utf8'));
  json.config.modes['no-instance-profile'] = 'approve';
  json.approvals = [
    { action: 'approve', by: 'AROA3EXAMPLECHANNEL:AWSChatbot', afterSeconds: 95 },
    { action: 'reject', by: 'arn:aws:sts::210987654321:assumed-role/oncall/bob', afterSeconds: 97 },
    { action: 'undo', by: 'arn:aws:sts::210987654321:assumed-role/oncall/carol', afterSeconds: 1800 },
  ];
  const report = await runScenario(parseScenario(json, 'docs picture'));
  const messages = report.notifications.map((n, i) => card(n.chatbot as ChatbotNotification, n.at, i > 0));
  writeFileSync(HTML, `<!doctype html><html><head><meta charset="utf-8"><title>iam-autoheal in Slack</title><style>${STYLE}</style></head><body><div class="channel"># ops-iam-autoheal</div>${messages.join('\n')}</body></html>\n`);
  process.stdout.write(`wrote ${HTML} (${report.notifications.length} messages)\n`);
  const chromium = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    process.stdout.write(`no Chromium at ${chromium}: the PNG is not made (apt-get install chromium, or CHROMIUM=…)\n`);
    return;
  }
  const run = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${join(ROOT, '.chromium-profile')}`, '--window-size=900,1560', `--screenshot=${PNG}`, `file://${HTML}`], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`chromium failed: ${run.stderr}`);
  process.stdout.write(`wrote ${PNG}\n`);
}

await main();
