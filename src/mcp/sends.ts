import type { Transport } from "@modelcontextprotocol/client"

// T04: on a timeout or an abort the SDK sends `notifications/cancelled` without awaiting it
// (over HTTP that is a POST still in flight), then rejects the request. Closing the transport
// right after aborts that POST, so the server never hears of the cancel. The tracker lets the
// caller wait, bounded, for notifications already handed to the transport.

/** How long a failed request or a close waits for pending notifications. */
export const NOTIFICATION_GRACE_MS = 500

export interface SendTracker {
  /** Resolves once every notification sent so far has gone out, or after `ms`. */
  settle(ms?: number): Promise<void>
}

/** Wraps `transport.send` to remember notifications (requests are answered, or cancelled, anyway). */
export function trackNotifications(transport: Transport): SendTracker {
  const pending = new Set<Promise<void>>()
  const send = transport.send.bind(transport)
  transport.send = (message, options) => {
    const sent = send(message, options)
    if (!("method" in message) || "id" in message) return sent
    // Kept only to wait on: the SDK handles the failure of its own promise (`sent`).
    const settled = sent.then(
      () => undefined,
      () => undefined,
    )
    pending.add(settled)
    void settled.then(() => pending.delete(settled))
    return sent
  }
  return {
    async settle(ms = NOTIFICATION_GRACE_MS) {
      if (pending.size === 0) return
      let timer: ReturnType<typeof setTimeout> | undefined
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
      await Promise.race([Promise.all([...pending]), bound])
      clearTimeout(timer)
    },
  }
}
