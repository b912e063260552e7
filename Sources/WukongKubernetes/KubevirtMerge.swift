import WukongIR
import WukongNet

/// Merges a VM's `kubevirt { }` settings into the VirtualMachine the backend generated:
/// deterministically, in the order written — a record merges into an existing map key by key
/// (recursively), anything else replaces; a new key goes after the existing ones.
enum KubevirtMerge {
    static func apply(_ settings: [KubevirtSetting], toVirtualMachine body: inout KubeValue) {
        for setting in settings { set(["spec"] + setting.path, kube(setting.value), in: &body) }
    }

    static func kube(_ h: HatchValue) -> KubeValue {
        switch h {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .bool(let b): return .bool(b)
        case .list(let xs): return .list(xs.map(kube))
        case .map(let fs): return .map(fs.map { KubeField($0.key, kube($0.value)) })
        }
    }

    /// Sets `value` at `path`, creating maps on the way (a non-map on the way is replaced).
    static func set(_ path: [String], _ value: KubeValue, in target: inout KubeValue) {
        guard let key = path.first else { merge(value, into: &target); return }
        var fields: [KubeField] = []
        if case .map(let fs) = target { fields = fs }
        if let i = fields.firstIndex(where: { $0.key == key }) {
            set(Array(path.dropFirst()), value, in: &fields[i].value)
        } else {
            var fresh = KubeValue.map([])
            set(Array(path.dropFirst()), value, in: &fresh)
            fields.append(KubeField(key, fresh))
        }
        target = .map(fields)
    }

    static func merge(_ value: KubeValue, into target: inout KubeValue) {
        guard case .map(let new) = value, case .map = target else { target = value; return }
        for f in new { set([f.key], f.value, in: &target) }
    }
}
