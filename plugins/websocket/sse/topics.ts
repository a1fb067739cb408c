// The hub's topics for event streams, which Bun's pub/sub can't reach: each published message is
// framed and encoded once and the same bytes are queued on every stream of the topic.
import type { Publisher } from "../hub";
import { messageFrame } from "./frame";

export interface TopicMember {
  deliver(bytes: Uint8Array): void;
}

const encoder = new TextEncoder();

export class StreamTopics implements Publisher {
  private readonly members = new Map<string, Set<TopicMember>>();

  add(topic: string, member: TopicMember): void {
    let set = this.members.get(topic);
    if (!set) {
      set = new Set();
      this.members.set(topic, set);
    }
    set.add(member);
  }

  remove(topic: string, member: TopicMember): void {
    const set = this.members.get(topic);
    if (!set?.delete(member) || set.size > 0) return;
    this.members.delete(topic);
  }

  publish(topic: string, text: string): number {
    const set = this.members.get(topic);
    if (!set) return 0;
    const bytes = encoder.encode(messageFrame(text).frame);
    for (const member of set) member.deliver(bytes);
    return bytes.byteLength;
  }
}
