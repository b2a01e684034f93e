/**
 * The reply in the incident's thread after an answer (same `metadata.threadId` as the incident's messages):
 * "approved by …", "rejected by …", "undone by …", a refusal that says why (and who was first), or the details.
 * It carries no approval id and no `undo` variable: no button is attached to a reply.
 */
import type { AnswerRequest, AnswerResult } from './answer.ts';
import { subjectOf, type ChatbotNotification } from './notification.ts';

export interface AnswerReply {
  subject: string;
  chatbot: ChatbotNotification;
  email: string;
}

function headline(request: AnswerRequest, result: AnswerResult): string {
  if (result.refusal) return `${request.action} refused`;
  if (request.action === 'details') return 'details';
  if (request.action === 'undo') return result.ok ? 'undone' : 'undo stopped';
  return request.action === 'approve' ? 'approved' : 'rejected';
}

export function buildAnswerReply(input: { request: AnswerRequest; result: AnswerResult; caller: string }): AnswerReply {
  const { request, result, caller } = input;
  const title = `iam-autoheal: ${headline(request, result)} — ${request.incident}`;
  const lines = [result.message];
  for (const step of result.undo?.steps ?? []) lines.push(`• ${step.result}: ${step.type} ${step.target}${step.detail ? ` — ${step.detail}` : ''}`);
  for (const line of result.details ?? []) lines.push(`• ${line}`);
  const description = lines.join('\n');
  const chatbot: ChatbotNotification = {
    version: '1.0',
    source: 'custom',
    id: `${request.incident}:${request.action}:${request.approvalId ?? ''}:${result.ok ? 'ok' : result.refusal ?? 'stopped'}`,
    content: { textType: 'client-markdown', title, description, nextSteps: [], keywords: [`answer-${request.action}`, result.ok ? 'ok' : 'refused'] },
    metadata: {
      threadId: request.incident,
      summary: title,
      eventType: 'AnswerRecorded',
      additionalContext: { incident: request.incident, status: `answer-${request.action}`, answeredBy: caller.slice(0, 1024) },
    },
  };
  const email = [title, '', `Incident: ${request.incident}`, ...lines].join('\n');
  return { subject: subjectOf(title), chatbot, email };
}
