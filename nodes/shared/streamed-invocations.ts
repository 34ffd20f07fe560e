// wamp-register and progressive call invocations: a call its caller sends in chunks comes out as
// one message per chunk, all with the same `msg._wamp.invocationId`; `msg.progress` is true on
// every chunk but the last (false there). The messages are marked as the split node marks its
// parts (`msg.parts` with the invocation's id, the index, and the count on the last), so that a
// join node in automatic mode gathers the chunks into one message for wamp-response. The flow
// answers once, normally on the last chunk; answering an earlier one ends the call there.
import type { Invocation } from './library';
import { newMessageId } from './message-id';
import { pptOf } from './passthru';
import { putArgs } from './payload';
import type { NodeMessage } from './red-types';

/** Marks `first` as chunk 0 and sends a message for each later chunk as it comes. */
export function sendChunks(inv: Invocation, first: NodeMessage, send: (msg: NodeMessage) => void): void {
  const id = (first._wamp as { invocationId: string }).invocationId;
  first.progress = true;
  first.parts = { id, index: 0, type: 'array' };
  let index = 0;
  inv.onChunk((chunk) => {
    index++;
    const msg: NodeMessage = {
      _msgid: newMessageId(),
      topic: first.topic,
      procedure: first.procedure,
      details: chunk.details,
      _wamp: { invocationId: id },
      progress: !chunk.final,
      parts: chunk.final ? { id, index, count: index + 1, type: 'array' } : { id, index, type: 'array' },
    };
    // Passthru chunks: the router may forward the options with the first INVOCATION only.
    const ppt = pptOf(chunk.details) ?? first.ppt;
    if (ppt !== undefined) msg.ppt = ppt;
    putArgs(msg, chunk.args, chunk.kwargs);
    send(msg);
  });
}
