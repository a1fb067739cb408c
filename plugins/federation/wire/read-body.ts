// Reads a body up to a byte limit and no further: the declared length is checked first, then the stream
// is cut off as soon as it passes the limit, so a chunked body can't slip past it either.

export const readCapped = async (
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> => {
  if (declaredLength !== null && Number(declaredLength) > max) throw tooLarge();
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
};
