// Content negotiation for the event stream: whether a request's Accept header allows text/event-stream.

// Most specific first: the most specific range that matches decides (RFC 9110 §12.5.1).
const RANGES = ["text/event-stream", "text/*", "*/*"];

const quality = (parameters: string[]): number => {
  const q = parameters.find((parameter) => parameter.startsWith("q="));
  return q === undefined ? 1 : Number(q.slice(2));
};

/** No Accept header means anything goes; `text/event-stream;q=0` refuses even next to `*\/*`. */
export const acceptsEventStream = (accept: string | null): boolean => {
  if (accept === null || accept.trim() === "") return true;
  let best: { rank: number; q: number } | undefined;
  for (const range of accept.split(",")) {
    const [type = "", ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    const rank = RANGES.indexOf(type);
    if (rank === -1 || (best && best.rank <= rank)) continue;
    best = { rank, q: quality(parameters) };
  }
  return best !== undefined && best.q > 0;
};
