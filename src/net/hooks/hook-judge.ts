// How a hook's answer is judged, SRS's rule, the same for every event:
// HTTP 200 or 201, and a body that is exactly the JSON number 0 or a JSON object whose
// `code` is the integer 0. Pure, so the whole table is unit-tested without a socket.

export type HookVerdict = { ok: true } | { ok: false; reason: string };

export function judgeHookResponse(status: number, body: string): HookVerdict {
  if (status !== 200 && status !== 201) return { ok: false, reason: `HTTP status ${status}` };
  const text = body.trim();
  if (text === '') return { ok: false, reason: 'empty body' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const code = (value as { code?: unknown }).code;
    if (code === 0) return { ok: true };
    return { ok: false, reason: code === undefined ? 'no code in the answer' : `code ${JSON.stringify(code)}` };
  }
  if (value === 0) return { ok: true };
  return { ok: false, reason: `answer ${text.slice(0, 40)}` };
}
