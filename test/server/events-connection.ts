import { on, once } from 'node:events';
import WebSocket from 'ws';
import { type ServerMessage, parseServerMessage } from '../../src/protocol/index.js';

/** An events-channel connection that has sent `join`: `first` is the answer, `next()` reads what follows, in order. */
export async function joinEvents(url: string, token: string) {
  const socket = new WebSocket(url);
  const messages = on(socket, 'message');
  const closed = once(socket, 'close');
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'join', token }));
  const next = async (): Promise<ServerMessage> => parseServerMessage(String((await messages.next()).value[0]));
  return { socket, next, first: await next(), closed };
}
