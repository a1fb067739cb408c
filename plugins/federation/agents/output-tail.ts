// The last N bytes an agent wrote (stdout and stderr, interleaved as they arrived): enough to see how a
// run ended without keeping a chatty process's whole output.

export class OutputTail {
  private chunks: Uint8Array[] = [];
  private size = 0;
  /** Every byte pushed, kept or not. */
  total = 0;

  constructor(private readonly max: number) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    this.total += chunk.byteLength;
    for (let first = this.chunks[0]; first && this.size - first.byteLength >= this.max; first = this.chunks[0]) {
      this.chunks.shift();
      this.size -= first.byteLength;
    }
  }

  /** Decoded leniently: a character cut in half at the start shows as U+FFFD. */
  text(): string {
    const all = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return new TextDecoder().decode(all.subarray(Math.max(0, this.size - this.max)));
  }
}
