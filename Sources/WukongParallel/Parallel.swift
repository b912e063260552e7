import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one concurrency helper of the package. Everything concurrent goes through `run` (fork-join
/// on threads, the calling thread taking part) or `detach` (fire and forget); `map`, `chunks` and
/// `pipeline` are built on `run`. Results come back in index order, so no output ever depends
/// on scheduling.
package enum Parallel {
    /// Below this many items, `chunks` gives one chunk and callers run on the calling thread.
    nonisolated(unsafe) package static var threshold = 2048

    /// Stack size of the threads `run` starts unless told otherwise.
    package static let defaultStackSize = 8 << 20

    /// How many CPU-bound workers to run (tests lowering `threshold` get several even on one core).
    package static var workers: Int {
        max(threshold < 512 ? 4 : 1, min(activeProcessorCount, 8))
    }

    package static var activeProcessorCount: Int {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// Runs `body(0)`, …, `body(count - 1)` at the same time: `body(0)` on the calling thread,
    /// each other one on a thread of its own with a `stackSize`-byte stack. Returns once all
    /// have returned. A thread that cannot be started has its body run on the calling thread
    /// after `body(0)` (so bodies must not wait for one another, except `pipeline`'s, which
    /// needs one worker thread to start).
    package static func run(_ count: Int, stackSize: Int = defaultStackSize, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if count == 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            let job = Job(body)
            var threads: [Thread?] = []
            threads.reserveCapacity(count - 1)
            for i in 1..<count { threads.append(Thread.start(stackSize: stackSize) { job.body(i) }) }
            body(0)
            for (k, t) in threads.enumerated() {
                if let t { t.join() } else { body(k + 1) }
            }
        }
    }

    /// Runs `body` on a thread of its own and returns at once (on the calling thread, first,
    /// if no thread can be started).
    package static func detach(_ body: @escaping @Sendable () -> Void) {
        guard let t = Thread.start(stackSize: defaultStackSize, body) else { body(); return }
        t.detach()
    }

    /// Contiguous chunks covering `0..<count`: one below `minimum` items or on one core, else
    /// about two per worker (never smaller than `min(512, minimum)` items).
    package static func chunks(_ count: Int, minimum: Int = threshold) -> [Range<Int>] {
        // Tests lower `minimum` to force several chunks even on one core.
        let cores = max(minimum < 512 ? 4 : 1, min(activeProcessorCount, 8))
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

    /// `body(0)`, …, `body(count - 1)`, the indices handed out to up to `workers` threads.
    package static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { if count == 1 { body(0) }; return }
        let next = Counter()
        run(min(count, max(workers, 2))) { _ in
            while let i = next.take(below: count) { body(i) }
        }
    }

    /// `body` of each range, the ranges taken by up to `workers` threads; results in range order.
    /// Inlinable, like the other generic helpers, so that it is specialized where it is used.
    @inlinable
    package static func map<T>(_ ranges: [Range<Int>], _ body: (Range<Int>) -> T) -> [T] {
        if ranges.count <= 1 { return ranges.map(body) }
        return [T](unsafeUninitializedCapacity: ranges.count) { buffer, initialized in
            let out = Unchecked(buffer.baseAddress!)
            forEach(ranges.count) { i in (out.value + i).initialize(to: body(ranges[i])) }
            initialized = ranges.count
        }
    }

    /// `(0..<count).map(body)`, in `chunks(count, minimum:)` on several threads.
    @inlinable
    package static func map<T>(_ count: Int, minimum: Int = threshold, _ body: (Int) -> T) -> [T] {
        let ranges = chunks(count, minimum: minimum)
        if ranges.count <= 1 { return (0..<count).map(body) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = Unchecked(buffer.baseAddress!)
            forEach(ranges.count) { c in
                for i in ranges[c] { (out.value + i).initialize(to: body(i)) }
            }
            initialized = count
        }
    }

    /// Runs `render` on jobs `0..<count` on worker threads and hands each result to `each` in
    /// job order, on the calling thread, as soon as it and those before it are done: writing
    /// overlaps rendering, and at most `window` results are alive at once. Sequential (on the
    /// calling thread) unless `parallel`.
    package static func pipeline<T>(_ count: Int, parallel: Bool, window: Int? = nil,
                                    _ render: (Int) -> T, _ each: (T) -> Void) {
        let workers = parallel ? min(count, Parallel.workers) : 1
        if workers <= 1 {
            for i in 0..<count { each(render(i)) }
            return
        }
        let state = PipelineState<T>(count: count, window: max(workers, window ?? workers * 3))
        withoutActuallyEscaping(render) { render in
            state.render = render
            run(workers + 1) { w in
                if w == 0 {
                    for i in 0..<count { each(state.result(i)) }
                } else {
                    state.work()
                }
            }
            state.render = nil
        }
    }
}

/// A started pthread running one closure.
private final class Thread: @unchecked Sendable {
    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t? = nil
    #endif
    private let body: () -> Void

    private init(_ body: @escaping () -> Void) { self.body = body }

    /// Nil when the thread cannot be created.
    static func start(stackSize: Int, _ body: @escaping () -> Void) -> Thread? {
        let t = Thread(body)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackSize)
        let me = Unmanaged.passRetained(t).toOpaque()
        let started = pthread_create(&t.thread, &attr, { arg in
            #if canImport(Glibc)
            let t = Unmanaged<Thread>.fromOpaque(arg!).takeRetainedValue()
            #else
            let t = Unmanaged<Thread>.fromOpaque(arg).takeRetainedValue()
            #endif
            t.body()
            return nil
        }, me) == 0
        if !started {
            Unmanaged<Thread>.fromOpaque(me).release()
            return nil
        }
        return t
    }

    func join() {
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
    }

    func detach() {
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        if let thread { pthread_detach(thread) }
        #endif
    }
}

/// The body of one `run`, shared by its threads.
private final class Job: @unchecked Sendable {
    let body: (Int) -> Void
    init(_ body: @escaping (Int) -> Void) { self.body = body }
}

/// Hands out `0, 1, 2, …` to whichever thread asks.
private final class Counter: @unchecked Sendable {
    private var next = 0
    private let lock = DispatchSemaphore(value: 1)
    func take(below count: Int) -> Int? {
        lock.wait()
        defer { lock.signal() }
        if next >= count { return nil }
        next += 1
        return next - 1
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

@usableFromInline
struct Unchecked<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
