// A tributary.v1 client for tests: opens a socket, pipelines frames and collects their answers.
import WebSocket from 'ws';

export interface Answer {
  seq: number;
  status: 'ok' | 'rejected' | 'failed';
  published?: number;
  retryable?: boolean;
  error?: { code: string; documents?: { index: number; pointer: string; keyword?: string }[] };
}

export function openStream(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['tributary.v1'], options);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Collects answers until `count` arrived; rejects if the socket closes first. */
export function collectAnswers(ws: WebSocket, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  return new Promise((resolve, reject) => {
    const onClose = (code: number) => reject(new Error(`closed ${code} after ${answers.length} answers`));
    ws.on('message', (data: Buffer) => {
      answers.push(JSON.parse(String(data)) as Answer);
      if (answers.length === count) {
        ws.off('close', onClose);
        resolve(answers);
      }
    });
    ws.once('close', onClose);
  });
}

/** Sends every frame at once (pipelined: nothing waits for an answer) and resolves with all answers. */
export async function streamFrames(ws: WebSocket, frames: string[]): Promise<Answer[]> {
  const answers = collectAnswers(ws, frames.length);
  for (const frame of frames) ws.send(frame);
  return answers;
}

export function closeOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}
