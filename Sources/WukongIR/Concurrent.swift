import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Independent per-item work of lowering (hashes for MACs and firmware UUIDs) spread over the
/// cores. Results are in index order, so nothing depends on scheduling.
enum Concurrent {
    /// `(0..<count).map(body)`, in contiguous chunks on several threads when `count` is at
    /// least `minimum` and there is more than one core.
    static func map<T>(_ count: Int, minimum: Int = 2048, _ body: (Int) -> T) -> [T] {
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        if count < minimum || cores < 2 { return (0..<count).map(body) }
        let chunks = min(cores, 8) * 4
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = Unchecked(buffer.baseAddress!)
            withoutActuallyEscaping(body) { body in
                let work = Unchecked(body)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    for i in count * c / chunks..<count * (c + 1) / chunks {
                        (out.value + i).initialize(to: work.value(i))
                    }
                }
            }
            initialized = count
        }
    }
}

private struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
