import { type JsonParsing, inThreadJsonParsing } from '@app/sources';

/** JSON parsing in this thread that notes the shape of every body it reads: which bodies a connector read through it. */
export function recordingJsonParsing(): { parsing: JsonParsing; shapes: string[] } {
  const inThread = inThreadJsonParsing();
  const shapes: string[] = [];
  const parsing: JsonParsing = {
    where: 'in-thread',
    read: (bytes, shape, what) => {
      shapes.push(shape);
      return inThread.read(bytes, shape, what);
    },
    close: async () => {},
  };
  return { parsing, shapes };
}
