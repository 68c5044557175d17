// O07: the SSRF guard's address classification, as a pure function (no request is made).
import { describe, expect, it } from "bun:test"
import { classifyAddress } from "../../src/auth/guard.ts"

describe("classifyAddress (O07)", () => {
  const cases: [string, ReturnType<typeof classifyAddress>][] = [
    ["127.0.0.1", "loopback"],
    ["127.200.0.9", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"], // how the URL parser writes [::ffff:169.254.169.254]
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:a00:8", "private"],
    ["fe80::1", "link-local"],
    ["10.0.0.8", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd00::1", "private"],
    ["fc00::1", "private"],
    ["0.0.0.0", "reserved"],
    ["::", "reserved"],
    ["224.0.0.1", "reserved"],
    ["ff02::1", "reserved"],
    ["172.15.0.1", "public"],
    ["172.32.0.1", "public"],
    ["192.0.2.1", "public"],
    ["2001:db8::1", "public"],
  ]
  for (const [addr, kind] of cases) it(`${addr} is ${kind}`, () => expect(classifyAddress(addr)).toBe(kind))

  // O15: the other spellings an address can take on its way to a connection.
  const spellings: [string, ReturnType<typeof classifyAddress>][] = [
    ["::7f00:1", "loopback"], // IPv4-compatible
    ["::127.0.0.1", "loopback"],
    ["0:0:0:0:0:ffff:7f00:1", "loopback"],
    ["::ffff:0:7f00:1", "loopback"], // SIIT
    ["64:ff9b::a9fe:a9fe", "link-local"], // NAT64
    ["64:ff9b:1::1", "private"], // local-use NAT64
    ["2002:a00:8::1", "private"], // 6to4 around 10.0.0.8
    ["2002:c000:207::1", "public"], // 6to4 around 192.0.2.7
    ["fe80::1%eth0", "link-local"],
    ["fec0::1", "private"],
    ["2001:0:4136:e378::1", "reserved"], // Teredo
    ["198.18.0.1", "reserved"],
    ["not-an-address", "reserved"],
  ]
  for (const [addr, kind] of spellings)
    it(`O15: ${addr} is ${kind}`, () => expect(classifyAddress(addr)).toBe(kind))
})
