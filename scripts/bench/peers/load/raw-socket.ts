// A bare WebSocket client on a TCP socket, for load: it binds a chosen loopback source address (so
// thousands of connections spread over 127.0.0.x), answers pings, and counts event frames from their
// first bytes without decoding them, so the load client stays far cheaper than the servers it measures.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const HEADER_END = Buffer.from("\r\n\r\n");
const NORMAL_CLOSURE = Buffer.from([0x03, 0xe8]);
/** A server that does not end the TCP connection after the close handshake gets this long. */
const CLOSE_TIMEOUT_MS = 5000;

export interface RawSocketOptions {
  host: string;
  port: number;
  /** Path and query of the upgrade request. */
  path: string;
  headers: Record<string, string>;
  localAddress: string;
  /** A text frame starting with these bytes is an event: counted, never decoded. */
  eventPrefix: Buffer;
}

export class RawSocket {
  /** Text frames that are not events (ready, acks, errors, engine pings). */
  onText: (text: string) => void = () => {};
  /** An event frame: its text is `data` from `start` to `end`, decoded only by a listener that wants it. */
  onEvent: (data: Buffer, start: number, end: number) => void = () => {};
  onClose: (code: number) => void = () => {};
  private readonly socket: Socket;
  private readonly gone: Promise<void>;
  private pending: Buffer | undefined;
  private upgraded = false;
  /** A close frame was sent or received: no more frames go out, and the server's close is not reported. */
  private closing = false;

  private constructor(
    private readonly options: RawSocketOptions,
    onOpen: () => void,
    onFail: (error: Error) => void,
  ) {
    this.socket = connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    this.socket.setNoDelay(true);
    this.socket.on("connect", () => this.socket.write(this.handshake()));
    this.socket.on("data", (chunk: Buffer) => {
      if (this.upgraded) return this.frames(chunk);
      const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        this.pending = data;
        return;
      }
      this.pending = undefined;
      const status = data.subarray(0, data.indexOf("\r\n")).toString("latin1");
      if (!status.startsWith("HTTP/1.1 101")) {
        onFail(new Error(`upgrade refused: ${status}`));
        this.socket.destroy();
        return;
      }
      this.upgraded = true;
      onOpen();
      if (end + 4 < data.length) this.frames(data.subarray(end + 4));
    });
    this.socket.on("error", (error) => {
      if (!this.upgraded) onFail(error);
    });
    this.gone = new Promise((resolve) =>
      this.socket.on("close", () => {
        if (!this.upgraded) onFail(new Error("closed before the upgrade"));
        else this.ended(1006);
        resolve();
      }),
    );
  }

  /** Resolves once the server answered 101; frames that follow go to the handlers set by then. */
  static open(options: RawSocketOptions, setup: (socket: RawSocket) => void): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket: RawSocket = new RawSocket(options, () => resolve(socket), reject);
      setup(socket);
    });
  }

  send(text: string): void {
    this.write(OP_TEXT, Buffer.from(text));
  }

  /**
   * The close handshake, then waits for the server to end the TCP connection: whoever ends it first
   * keeps a TIME_WAIT entry for a minute, and tens of thousands on the client's side would slow down
   * binding new source ports for the next sample.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.write(OP_CLOSE, NORMAL_CLOSURE);
      this.closing = true;
      setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    }
    return this.gone;
  }

  private handshake(): string {
    const lines = [
      `GET ${this.options.path} HTTP/1.1`,
      `Host: ${this.options.host}:${this.options.port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(this.options.headers).map(([name, value]) => `${name}: ${value}`),
    ];
    return `${lines.join("\r\n")}\r\n\r\n`;
  }

  // Client frames must be masked (RFC 6455 §5.3); payloads here are small, so the copy is cheap.
  private write(opcode: number, payload: Buffer): void {
    if (this.closing) return;
    const length = payload.length;
    const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + extended + 4 + length);
    frame[0] = 0x80 | opcode;
    if (extended === 0) frame[1] = 0x80 | length;
    else if (extended === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const maskAt = 2 + extended;
    randomBytes(4).copy(frame, maskAt);
    for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = (payload[i] ?? 0) ^ (frame[maskAt + (i & 3)] ?? 0);
    this.socket.write(frame);
  }

  private frames(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (data.length - at >= 2) {
      const opcode = (data[at] ?? 0) & 0x0f;
      let length = (data[at + 1] ?? 0) & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (data.length < at + 4) break;
        length = data.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (data.length < at + 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      const end = start + length;
      if (end > data.length) break;
      at = end;
      if (opcode === OP_TEXT) {
        if (this.isEvent(data, start, end)) this.onEvent(data, start, end);
        else this.onText(data.toString("utf8", start, end));
      } else if (opcode === OP_PING) this.write(OP_PONG, data.subarray(start, end));
      else if (opcode === OP_CLOSE) {
        this.ended(length >= 2 ? data.readUInt16BE(start) : 1005);
        // Answered as the protocol asks; the server then ends the TCP connection.
        void this.close();
        return;
      }
    }
    if (at < data.length) this.pending = data.subarray(at);
  }

  private isEvent(data: Buffer, start: number, end: number): boolean {
    const prefix = this.options.eventPrefix;
    if (end - start < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (data[start + i] !== prefix[i]) return false;
    return true;
  }

  /** The server ended it (a close frame, or the TCP connection dropping); closes asked for here are not reported. */
  private ended(code: number): void {
    if (this.closing) return;
    this.onClose(code);
  }
}
