/** ServerCutText (RFC 6143 7.6.4): the display's clipboard, Latin-1 as the protocol defines it. */
import { ServerMessage } from './rfb-constants.js';

export function serverCutText(text: string): Buffer[] {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(8);
  head[0] = ServerMessage.ServerCutText;
  head.writeUInt32BE(body.length, 4);
  return [head, body];
}
