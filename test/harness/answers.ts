// What AWS answers that the emulator cannot: a command's real status and output (moto's
// GetCommandInvocation answers with a canned status, the harness's records hold the real one),
// and a Lambda invocation (moto would need Docker to run the function; the harness runs it).
// Pure: records in, the service's JSON out, in the shapes the SDKs and the CLI parse.

import type { Answer } from './call-recorder';
import type { CommandRecord, InvocationRecord } from './records';

/** GetCommandInvocation cuts the output here; the whole of it is in CloudWatch Logs. */
export const MAX_INLINE_OUTPUT = 24_000;

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

export function jsonAnswer(body: unknown, status = 200): Answer {
  return { status, headers: JSON_TYPE, body: JSON.stringify(body) };
}

/** An AWS JSON protocol error, as the SDKs read it (__type, message). */
export function errorAnswer(type: string, message: string, status = 400): Answer {
  return jsonAnswer({ __type: type, message }, status);
}

const seconds = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso).getTime() / 1000);

/** The invocation as GetCommandInvocation describes it; a command the host has not started is Pending. */
export function commandInvocation(commandId: string, instanceId: string, record: CommandRecord | undefined): Record<string, unknown> {
  if (record === undefined) return { CommandId: commandId, InstanceId: instanceId, Status: 'Pending', StatusDetails: 'Pending', ResponseCode: -1, StandardOutputContent: '', StandardErrorContent: '' };
  return {
    CommandId: commandId,
    InstanceId: record.instanceId,
    Comment: record.comment ?? '',
    DocumentName: record.documentName,
    ResponseCode: record.exitCode ?? -1,
    ExecutionStartDateTime: record.startedAt,
    ...(record.finishedAt === undefined ? {} : { ExecutionEndDateTime: record.finishedAt }),
    Status: record.status,
    StatusDetails: record.error === undefined ? record.status : 'Undeliverable',
    StandardOutputContent: record.stdout.slice(0, MAX_INLINE_OUTPUT),
    StandardErrorContent: (record.error === undefined ? record.stderr : `${record.error}\n${record.stderr}`).slice(0, MAX_INLINE_OUTPUT),
  };
}

/** ListCommandInvocations' entry for a record. */
export function listedInvocation(record: CommandRecord): Record<string, unknown> {
  return {
    CommandId: record.commandId,
    InstanceId: record.instanceId,
    DocumentName: record.documentName,
    Comment: record.comment ?? '',
    RequestedDateTime: seconds(record.startedAt),
    Status: record.status,
    StatusDetails: record.status,
    CommandPlugins: [{ Status: record.status, ResponseCode: record.exitCode ?? -1, Output: record.stdout.slice(0, 2500) }],
  };
}

/** Lambda's Invoke answer: the handler's result, or its error with X-Amz-Function-Error. */
export function invokeAnswer(invocation: InvocationRecord): Answer {
  if (invocation.ok) return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }, body: JSON.stringify(invocation.result ?? null) };
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
    body: JSON.stringify({ errorType: invocation.error?.name ?? 'Error', errorMessage: invocation.error?.message ?? '' }),
  };
}
