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
        if nics.contains(where: { $0.explicit == true }) {
            for k in nics.indices { out[k] = nics[k].explicit == true }
            return out
        }
        if let k = nics.firstIndex(where: { $0.isPod }), nics[k].explicit != false {
            out[k] = true
            return out
        }
        if let k = nics.firstIndex(where: { !$0.isPod && $0.explicit != false && $0.networkHasGateway }) {
            out[k] = true
        }
        return out
    }
}
