import WukongNet

/// `address = auto` (LANGUAGE.md §5.6) — the one implementation, called by the evaluator (for
/// `vm.nic.address`, needed before lowering runs) and by lowering (for the IR), each with the
/// inputs read from its own data, so the two cannot disagree.
///
/// In source order after expansion, each request gets the numerically lowest address of its
/// network's `pool` (else its `subnet`; a pool is clipped to the subnet) that is neither
/// reserved nor taken. Reserved: the network and broadcast addresses (IPv4 prefixes ≤ 30), the
/// IPv6 subnet-router anycast address (prefixes ≤ 126), the gateway, the DNS servers, the
/// routes' `via`, and node addresses in the subnet. Taken: every static NIC address of the
/// network's layer-2 domain (`L2Domain`, as N-DUP-IP) and every earlier `auto` in that domain.
///
/// Per network the reserved and taken addresses inside the range are sorted once; a cursor
/// walks the range and the sorted list together, so n addresses cost O(n + taken) after the
/// sort — never a rescan from the start.
public enum AutoAllocation {
    /// What allocation needs to know of one network.
    public struct NetworkPool: Sendable {
        public var subnet: CIDR
        /// The `pool` range (inclusive), when set.
        public var pool: (first: IPAddress, last: IPAddress)?
        /// Gateway, DNS servers, routes' `via`s.
        public var reserved: [IPAddress]
        /// Index of the network's layer-2 domain (networks with one `L2Domain` key share one).
        public var domain: Int
        public init(subnet: CIDR, pool: (first: IPAddress, last: IPAddress)?, reserved: [IPAddress], domain: Int) {
            self.subnet = subnet; self.pool = pool; self.reserved = reserved; self.domain = domain
        }
    }

    /// One network's cursor over its range.
    struct Cursor {
        /// Next candidate; nil once the range is used up.
        var next: IPAddress?
        let last: IPAddress
        /// Reserved and static addresses inside [first, last], sorted.
        let taken: [IPAddress]
        var takenCursor = 0

        mutating func allocate() -> IPAddress? {
            while let candidate = next {
                while takenCursor < taken.count && taken[takenCursor] < candidate { takenCursor += 1 }
                let isTaken = takenCursor < taken.count && taken[takenCursor] == candidate
                next = candidate < last ? candidate.adding(1) : nil
                if !isTaken { return candidate }
            }
            return nil
        }

        init(_ net: NetworkPool, statics: [IPAddress], nodeAddresses: [IPAddress]) {
            let subnet = net.subnet
            var first = subnet.network
            var last = subnet.broadcast
            if let p = net.pool {
                if p.first.isV6 != subnet.isV6 || p.last.isV6 != subnet.isV6 {
                    self.next = nil; self.last = last; self.taken = []
                    return
                }
                first = max(first, p.first)
                last = min(last, p.last)
            }
            var reserved: [IPAddress] = []
            if subnet.isV6 {
                if subnet.prefix <= 126 { reserved.append(subnet.network) }
            } else if subnet.prefix <= 30 {
                reserved.append(subnet.network)
                reserved.append(subnet.broadcast)
            }
            reserved.append(contentsOf: net.reserved)
            reserved.append(contentsOf: nodeAddresses.filter { subnet.contains($0) })
            reserved.append(contentsOf: statics)
            self.taken = reserved.filter { $0.isV6 == subnet.isV6 && first <= $0 && $0 <= last }.sorted()
            self.next = first <= last ? first : nil
            self.last = last
        }
    }

    /// The address of each request (nil: the pool is exhausted or the network has none).
    /// - networks: per network index, its pool (nil: no subnet — nothing to allocate from);
    /// - statics: per domain index, the static NIC addresses on its networks;
    /// - nodeAddresses: every node address (any host; those inside a subnet are reserved there);
    /// - requests: the network index of each `auto`, in source order.
    public static func allocate(networks: [NetworkPool?], statics: [[IPAddress]], nodeAddresses: [IPAddress],
                                requests: [Int]) -> [IPAddress?] {
        guard !requests.isEmpty else { return [] }
        let domainCount = statics.count
        var wantsNetwork = [Bool](repeating: false, count: networks.count)
        var networksWanting = [Int](repeating: 0, count: domainCount)
        for n in requests where !wantsNetwork[n] {
            wantsNetwork[n] = true
            if let d = networks[n]?.domain { networksWanting[d] += 1 }
        }
        var cursors: [Cursor?] = networks.indices.map { i in
            guard wantsNetwork[i], let net = networks[i] else { return nil }
            return Cursor(net, statics: statics[net.domain], nodeAddresses: nodeAddresses)
        }
        // `auto`s given so far, per domain where several networks allocate (their cursors don't
        // see each other's); nil elsewhere
        var shared: [Set<IPAddress>?] = networksWanting.map { $0 > 1 ? [] : nil }
        var out: [IPAddress?] = []
        out.reserveCapacity(requests.count)
        for n in requests {
            guard var cursor = cursors[n], let d = networks[n]?.domain else { out.append(nil); continue }
            cursors[n] = nil  // keep the cursor's buffer uniquely referenced while it moves
            var ip = cursor.allocate()
            if shared[d] != nil {
                while let a = ip, shared[d]?.contains(a) == true { ip = cursor.allocate() }
                if let a = ip { shared[d]?.insert(a) }
            }
            cursors[n] = cursor
            out.append(ip)
        }
        return out
    }
}
