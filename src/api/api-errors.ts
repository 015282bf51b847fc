// The `code` of API answers. 2048 and 2049 are SRS's own (stream and client not found);
// the others are Sluice's, each with its HTTP status (errors are 4xx with a
// non-zero code, where SRS itself answers 200).

export const ApiCode = {
  OK: { code: 0, status: 200 },
  STREAM_NOT_FOUND: { code: 2048, status: 404 },
  CLIENT_NOT_FOUND: { code: 2049, status: 404 },
  VHOST_NOT_FOUND: { code: 2050, status: 404 },
  BAD_REQUEST: { code: 1400, status: 400 },
  UNAUTHORIZED: { code: 1401, status: 401 },
  NOT_FOUND: { code: 1404, status: 404 },
  METHOD_NOT_ALLOWED: { code: 1405, status: 405 },
  INTERNAL: { code: 1500, status: 500 },
  RELOAD_FAILED: { code: 1501, status: 500 },
} as const;

export type ApiCodeName = keyof typeof ApiCode;

/** What a handler answers: an HTTP status and a JSON body (the envelope is added later). */
export interface ApiReply {
  status: number;
  body: Record<string, unknown>;
}

export function ok(body: Record<string, unknown> = {}): ApiReply {
  return { status: 200, body: { code: 0, ...body } };
}

export function failure(which: ApiCodeName): ApiReply {
  const c = ApiCode[which];
  return { status: c.status, body: { code: c.code } };
}
