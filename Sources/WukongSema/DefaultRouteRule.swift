/// LANGUAGE.md §5.6: which NICs of one VM carry its default route. The checks and lowering
/// both ask this one rule.
public enum DefaultRouteRule {
    public struct Nic: Sendable {
        public var isPod: Bool
        /// `default_route` as written.
        public var explicit: Bool?
        public var networkHasGateway: Bool
        public init(isPod: Bool, explicit: Bool?, networkHasGateway: Bool) {
            self.isPod = isPod; self.explicit = explicit; self.networkHasGateway = networkHasGateway
        }
    }

    /// When a NIC sets `default_route = true`, exactly those; else the pod NIC unless it says
    /// `false` (replies to cluster clients must leave where they came in, DOMAIN.md §8); else the
    /// first NIC in source order not set to false whose network has a gateway.
    public static func carriers(_ nics: [Nic]) -> [Bool] {
        var out = [Bool](repeating: false, count: nics.count)
        forEachCarrier(count: nics.count, isPod: { nics[$0].isPod }, explicit: { nics[$0].explicit },
                       networkHasGateway: { nics[$0].networkHasGateway }) { out[$0] = true }
        return out
    }

    /// The rule without allocating (lowering runs it for every VM): calls `carries` with the
    /// index of each NIC that carries a default route; `networkHasGateway` only when needed.
    public static func forEachCarrier(count: Int, isPod: (Int) -> Bool, explicit: (Int) -> Bool?,
                                      networkHasGateway: (Int) -> Bool, _ carries: (Int) -> Void) {
        var anyExplicit = false
        for k in 0..<count where explicit(k) == true {
            anyExplicit = true
            carries(k)
        }
        if anyExplicit { return }
        if let k = (0..<count).first(where: { isPod($0) }), explicit(k) != false {
            carries(k)
            return
        }
        if let k = (0..<count).first(where: { !isPod($0) && explicit($0) != false && networkHasGateway($0) }) {
            carries(k)
        }
    }
}
