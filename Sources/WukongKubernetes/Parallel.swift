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

    /// How many worker threads `pipeline` runs (tests lowering `threshold` get several even
    /// on one core).
    static var workers: Int {
        max(threshold < 512 ? 4 : 1, min(System.activeProcessorCount, 8))
    }

    /// Runs `render` on jobs `0..<count` on worker threads and hands each result to `each` in
    /// job order, on the calling thread, as soon as it and those before it are done: writing
    /// overlaps rendering, and at most `window` results are alive at once. Sequential (on the
    /// calling thread) unless `parallel`.
    static func pipeline<T>(_ count: Int, parallel: Bool, window: Int? = nil,
                            _ render: (Int) -> T, _ each: (T) -> Void) {
        let workers = parallel ? min(count, Parallel.workers) : 1
        if workers <= 1 {
            for i in 0..<count { each(render(i)) }
            return
        }
        let state = PipelineState<T>(count: count, window: max(workers, window ?? workers * 3))
        withoutActuallyEscaping(render) { render in
            // Held by `state`, not by the worker blocks (which libdispatch may release late),
            // and dropped before the closure stops being valid.
            state.render = render
            let group = DispatchGroup()
            for _ in 0..<workers {
                group.enter()
                DispatchQueue.global().async {
                    state.work()
                    group.leave()
                }
            }
            for i in 0..<count { each(state.result(i)) }
            group.wait()
            state.render = nil
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

/// The jobs of one `pipeline`: the next job to start, the results not yet handed over, and
/// semaphores for "result i is ready" and "room for one more result".
private final class PipelineState<T>: @unchecked Sendable {
    let count: Int
    private var next = 0
    private let lock = DispatchSemaphore(value: 1)
    private let room: DispatchSemaphore
    private let ready: [DispatchSemaphore]
    private let slots: UnsafeMutablePointer<T?>

    init(count: Int, window: Int) {
        self.count = count
        room = DispatchSemaphore(value: window)
        ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// The next job, once there is room for its result; nil when all are taken. Room is
    /// taken before the number, so the jobs in flight are always the first ones not handed over.
    func take() -> Int? {
        room.wait()
        lock.wait()
        let i = next
        next += 1
        lock.signal()
        if i >= count {
            room.signal()
            return nil
        }
        return i
    }

    var render: ((Int) -> T)?

    /// Renders jobs until none is left.
    func work() {
        while let i = take() {
            slots[i] = render!(i)
            ready[i].signal()
        }
    }

    /// Waits for result `i` and takes it out, making room for another job.
    func result(_ i: Int) -> T {
        ready[i].wait()
        let value = slots[i].take()!
        room.signal()
        return value
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
