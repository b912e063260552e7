import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splits `0..<count` into contiguous chunks and runs `body` on each chunk concurrently;
/// returns the chunk results in chunk order, so the output never depends on scheduling.
/// Small inputs run on the calling thread.
enum Parallel {
    /// Below this many items, work runs on the calling thread.
    nonisolated(unsafe) static var threshold = 2048

    static func chunks(_ count: Int, minimum: Int = threshold) -> [Range<Int>] {
        // Tests lower `minimum` to force several chunks even on one core.
        let cores = max(minimum < 512 ? 4 : 1, min(System.activeProcessorCount, 8))
        if count < minimum || cores == 1 { return [0..<count] }
        let n = min(cores * 2, max(1, count / min(512, max(1, minimum))))
        if n <= 1 { return [0..<count] }
        var out: [Range<Int>] = []
        var start = 0
        for i in 0..<n {
            let end = count * (i + 1) / n
            out.append(start..<end)
            start = end
        }
        return out
    }

    /// Splits `0..<count` into consecutive batches of about `batch` items, runs `body` on a
    /// few batches at a time concurrently, and hands each result to `each` in batch order as
    /// soon as its wave is done, so at most one wave of results is alive at once.
    static func ordered<T>(_ count: Int, batch: Int = 1024, _ body: (Range<Int>) -> T, _ each: (T) -> Void) {
        let all = chunks(count)
        if all.count <= 1 {
            if count > 0 { each(body(0..<count)) }
            return
        }
        let size = max(1, min(batch, (count + all.count - 1) / all.count))
        var ranges: [Range<Int>] = []
        var start = 0
        while start < count {
            let end = min(count, start + size)
            ranges.append(start..<end)
            start = end
        }
        let width = max(2, min(System.activeProcessorCount, 8)) * 2
        var i = 0
        while i < ranges.count {
            let wave = Array(ranges[i..<min(ranges.count, i + width)])
            for r in map(wave, body) { each(r) }
            i += width
        }
    }

    static func map<T>(_ ranges: [Range<Int>], _ body: (Range<Int>) -> T) -> [T] {
        if ranges.count == 1 { return [body(ranges[0])] }
        let results = UnsafeMutablePointer<T?>.allocate(capacity: ranges.count)
        results.initialize(repeating: nil, count: ranges.count)
        defer { results.deinitialize(count: ranges.count); results.deallocate() }
        let box = UnsafeSendable(results)
        withoutActuallyEscaping(body) { body in
            let b = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
                box.value[i] = b.value(ranges[i])
            }
        }
        return (0..<ranges.count).map { results[$0]! }
    }
}

private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

private enum System {
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}
