// Small HTTP clients for the integration tests: a bounded whole-body GET (node:http, no
// agent so every request gets its own connection) and a raw-socket exchange for requests
// that node:http would normalise (dot segments, odd encodings, absolute-form targets).
import http from 'node:http';
import net from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpGetOptions {
  method?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One request, the whole body read; rejects on a socket error or after `timeoutMs`. */
export function httpGet(url: string, opts: HttpGetOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`GET ${url}: no answer in ${opts.timeoutMs ?? 10000} ms`)), opts.timeoutMs ?? 10000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

export interface RawAnswer {
  /** Status of the first response; 0 when the server closed without answering. */
  status: number;
  /** Everything the server sent until it closed (or the timeout). */
  raw: Buffer;
}

/**
 * Writes `request` as is to 127.0.0.1:port and collects what comes back until the server
 * closes the connection or `timeoutMs` passes. Send `Connection: close` to get a prompt end.
 */
export function rawExchange(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, 32).toString('latin1'));
      resolve({ status: m ? Number(m[1]) : 0, raw });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => socket.write(request));
  });
}

/** The status codes of every response in a raw byte stream (keep-alive answers). */
export function statusLines(raw: Buffer): number[] {
  const out: number[] = [];
  const re = /HTTP\/1\.[01] (\d{3}) /g;
  const text = raw.toString('latin1');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(Number(m[1]));
  return out;
}
