import Foundation
import WukongIR
import WukongParallel
import Yams
#if canImport(Glibc)
import Glibc
#endif

public enum OutputDirectoryError: Error, Equatable, CustomStringConvertible {
    /// The target exists and is not a directory.
    case notADirectory(String)
    /// The target is a non-empty directory without our `kustomization.yaml`.
    case notOurs(String)
    /// The target holds files that its `kustomization.yaml` does not list (someone else's).
    case foreignFiles(String, [String])
    case io(String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): exists and is not a directory"
        case .notOurs(let p):
            return "\(p): directory is not empty and has no kustomization.yaml; refusing to replace it"
        case .foreignFiles(let p, let files):
            return "\(p): holds files that an earlier build did not write (\(files.joined(separator: ", "))); refusing to replace it"
        case .io(let m): return m
        }
    }
}

/// `wukongc build -o DIR`: one file per object, `<kind lowercased>-<name>.yaml`, plus a
/// `kustomization.yaml` listing them in object order (`kubectl apply -k`, Argo CD, Flux).
///
/// The directory is replaced atomically: everything is written into a temporary sibling,
/// the old directory is renamed aside, the new one renamed into place, then the old one is
/// removed. A failure before the swap leaves the previous directory untouched. An existing
/// target is replaced only if it is empty or is an earlier output (it has a
/// `kustomization.yaml` and nothing that file does not list), so files we did not write are
/// never deleted.
public enum OutputDirectory {
    public static let kustomization = "kustomization.yaml"

    public static func fileName(_ object: KubeObject) -> String {
        "\(object.kind.lowercased())-\(object.name).yaml"
    }

    /// The files (name, contents) of the directory, kustomization last.
    public static func files(_ objects: [KubeObject]) -> [(name: String, contents: String)] {
        var out: [(name: String, contents: String)] = []
        out.reserveCapacity(objects.count + 1)
        for part in Parallel.map(Parallel.chunks(objects.count), { r in
            let docs = YAMLDocuments()
            return r.map { i in
                (name: fileName(objects[i]),
                 contents: String(decoding: docs.render { $0.value(objects[i].body) }, as: UTF8.self))
            }
        }) {
            out.append(contentsOf: part)
        }
        out.append((kustomization, kustomizationText(out.map { KubeValue.string($0.name) })))
        return out
    }

    static func kustomizationText(_ names: [KubeValue]) -> String {
        YAMLOutput.document(KubeValue.map([
            KubeField("apiVersion", .string("kustomize.config.k8s.io/v1beta1")),
            KubeField("kind", .string("Kustomization")),
            KubeField("resources", .list(names)),
        ]))
    }

    public static func write(_ objects: [KubeObject], to dir: String) throws {
        let chunks = Parallel.chunks(objects.count)
        try write(to: dir, jobs: chunks.count, parallel: chunks.count > 1) { j, each in
            let docs = YAMLDocuments()
            for o in objects[chunks[j]] { docs.withRendered({ $0.value(o.body) }, { each(fileName(o), $0) }) }
        }
    }

    /// `write(KubernetesBackend.objects(for: topology), to: dir)` without the whole object tree
    /// or all file contents at once: objects are built, rendered and written a batch at a time,
    /// on worker threads.
    public static func write(_ topology: Topology, to dir: String) throws {
        let builder = Builder(topology)
        let parallel = topology.vms.count >= Parallel.threshold
        let jobs = builder.jobs(workers: parallel ? Parallel.workers : 1)
        try write(to: dir, jobs: jobs.count, parallel: parallel) { j, each in builder.documents(jobs[j], each) }
    }

    /// Writes the files that the jobs `0..<jobs` render (each hands its files, in order, to
    /// the function it gets), on worker threads when `parallel`, then the kustomization
    /// listing them in job order, into a temporary sibling, and swaps it into place.
    ///
    /// A file whose bytes equal the previous output's file of that name is not written again:
    /// that file is hard-linked into the new directory, and when every file is unchanged (and
    /// none is gone) the previous output simply stays: a rebuild creates, writes and frees no
    /// inode, and unchanged files keep their modification times.
    static func write(to dir: String, jobs: Int, parallel: Bool,
                      render: (Int, (String, UnsafeBufferPointer<UInt8>) -> Void) -> Void) throws {
        let fm = FileManager.default
        let target = dir.count > 1 && dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        let url = URL(fileURLWithPath: target)
        let parent = url.deletingLastPathComponent().path
        let base = url.lastPathComponent

        var isDir: ObjCBool = false
        let exists = fm.fileExists(atPath: target, isDirectory: &isDir)
        var previous: [String] = []
        if exists {
            guard isDir.boolValue else { throw OutputDirectoryError.notADirectory(target) }
            previous = try checkReplaceable(target)
        }

        let suffix = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let temp = parent + "/." + base + ".tmp-" + suffix
        do {
            try fm.createDirectory(atPath: temp, withIntermediateDirectories: false)
        } catch {
            throw OutputDirectoryError.io("\(temp): cannot create directory: \(error.localizedDescription)")
        }
        let files = FileTarget(dir: temp, previousDir: exists ? target : nil, previous: previous)
        defer { files.close() }
        var all = FileTarget.Written()
        if let f = files.failed { all.failed = f }
        if all.failed == nil {
            // Workers render and compare with the previous output; the calling thread creates
            // the files, one at a time: ext4 serializes inode allocation, and two threads
            // creating files in one directory spend far longer spinning on its locks.
            Parallel.pipeline(jobs, parallel: parallel, { j -> FileTarget.Written in
                var written = FileTarget.Written()
                render(j) { name, bytes in files.compare(name, bytes, into: &written) }
                return written
            }, { written in
                var written = written
                files.writeNew(&written)
                all.append(written)
            })
        }
        if all.failed == nil {
            var text = kustomizationText(all.names.map { KubeValue.string($0) })
            var written = FileTarget.Written()
            text.withUTF8 { files.compare(kustomization, $0, into: &written) }
            files.writeNew(&written)
            all.append(written)
        }
        if all.failed == nil && exists && all.unchanged.count == all.names.count && all.names.count == previous.count
            && Set(all.names).count == all.names.count {
            // Byte for byte the previous output (every name is a distinct earlier file): keep it.
            rmdir(temp)
            return
        }
        if all.failed == nil { all.failed = files.linkUnchanged(all.unchanged) }
        if let name = all.failed {
            try? fm.removeItem(atPath: temp)
            throw OutputDirectoryError.io("\(temp + "/" + name): cannot write file")
        }

        if !exists {
            guard rename(temp, target) == 0 else {
                let msg = String(cString: strerror(errno))
                try? fm.removeItem(atPath: temp)
                throw OutputDirectoryError.io("\(target): cannot rename into place: \(msg)")
            }
            return
        }
        let old = parent + "/." + base + ".old-" + suffix
        guard rename(target, old) == 0 else {
            let msg = String(cString: strerror(errno))
            try? fm.removeItem(atPath: temp)
            throw OutputDirectoryError.io("\(target): cannot move the previous output aside: \(msg)")
        }
        guard rename(temp, target) == 0 else {
            let msg = String(cString: strerror(errno))
            _ = rename(old, target)
            try? fm.removeItem(atPath: temp)
            throw OutputDirectoryError.io("\(target): cannot rename into place: \(msg)")
        }
        // The previous output holds only the plain files it listed (checked above): unlink them
        // directly — FileManager.removeItem takes tens of seconds on 200 000 files. `files`
        // still has the directory open (it moved, the descriptor follows it).
        files.removePrevious()
        if rmdir(old) != 0 { try? fm.removeItem(atPath: old) }
    }

    /// Throws unless `dir` is empty or an earlier output (everything in it is listed by its
    /// `kustomization.yaml`, or is that file).
    /// Returns its entries (all plain files we wrote).
    @discardableResult
    static func checkReplaceable(_ dir: String) throws -> [String] {
        guard let entries = listDirectory(dir) else {
            throw OutputDirectoryError.io("\(dir): cannot read directory: \(String(cString: strerror(errno)))")
        }
        if entries.isEmpty { return [] }
        guard entries.contains(where: { $0.name == kustomization }),
              let data = FileManager.default.contents(atPath: dir + "/" + kustomization) else {
            throw OutputDirectoryError.notOurs(dir)
        }
        var listed: Set<String> = [kustomization]
        if let names = ourKustomizationResources(Array(data)) {
            listed.formUnion(names)
        } else if let node = try? Yams.compose(yaml: String(decoding: data, as: UTF8.self)),
                  let resources = node.mapping?["resources"]?.sequence {
            for r in resources { if let s = r.string { listed.insert(s) } }
        }
        let foreign = entries.filter { !listed.contains($0.name) }.map(\.name)
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if !foreign.isEmpty { throw OutputDirectoryError.foreignFiles(dir, foreign) }
        // Only plain files we wrote: a listed name that is a directory is not ours either.
        let directories = entries.filter(\.isDirectory).map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if let first = directories.first { throw OutputDirectoryError.foreignFiles(dir, [first]) }
        return entries.map(\.name)
    }

    /// The `resources` of a kustomization exactly as `kustomizationText` writes it (the header
    /// lines, then one `- name` line per file, names plain): read line by line, since parsing
    /// 200 000 lines into a YAML node tree took half a second. nil for anything else (an edited
    /// file goes through the YAML parser).
    static func ourKustomizationResources(_ bytes: [UInt8]) -> [String]? {
        let header = Array("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n".utf8)
        guard bytes.count >= header.count, bytes[0..<header.count].elementsEqual(header) else { return nil }
        var names: [String] = []
        var at = header.count
        while at < bytes.count {
            guard bytes.count - at > 3, bytes[at] == UInt8(ascii: "-"), bytes[at + 1] == 0x20,
                  let end = bytes[(at + 2)...].firstIndex(of: 0x0A) else { return nil }
            let name = bytes[(at + 2)..<end]
            let plain = name.withContiguousStorageIfAvailable { !YAMLOutput.needsQuotes(bytes: $0) } ?? false
            guard plain, !name.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") })
            else { return nil }
            names.append(String(decoding: name, as: UTF8.self))
            at = end + 1
        }
        return names.isEmpty ? nil : names
    }

    /// The entries of `dir` (without `.` and `..`), in directory order, each with whether it is
    /// a directory: `readdir` reports the type, so no `stat` per entry. nil when unreadable.
    static func listDirectory(_ dir: String) -> [(name: String, isDirectory: Bool)]? {
        guard let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var out: [(name: String, isDirectory: Bool)] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var isDirectory = Int32(e.pointee.d_type) == DT_DIR
            if Int32(e.pointee.d_type) == DT_UNKNOWN {
                var st = stat()
                isDirectory = lstat(dir + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            out.append((name, isDirectory))
        }
        return out
    }
}

/// The temporary directory `OutputDirectory.write` fills, and the previous output whose
/// unchanged files it links instead of writing. `put` runs on several threads at once.
final class FileTarget: @unchecked Sendable {
    /// What a job (or the whole write) put: every name in order, those equal to the previous
    /// output's file of that name (not written: linked at the end, or kept), the files still to
    /// create (their bytes back to back in `data`), or the name that failed.
    struct Written {
        var names: [String] = []
        var unchanged: [String] = []
        var new: [(name: String, count: Int)] = []
        var data: [UInt8] = []
        var failed: String? = nil

        mutating func append(_ other: Written) {
            if failed == nil { failed = other.failed }
            names.append(contentsOf: other.names)
            unchanged.append(contentsOf: other.unchanged)
        }
    }

    private let dirFD: Int32
    private let previousFD: Int32
    private let previous: Set<String>
    private let previousNames: [String]
    /// The mode `writeNew` gives a file: 0644 less the umask.
    private let mode: mode_t
    /// Set when the temporary directory cannot be opened.
    let failed: String?

    init(dir: String, previousDir: String?, previous: [String]) {
        let mask = umask(0)
        umask(mask)
        mode = 0o644 & ~mask
        dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        previousFD = previousDir.map { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -1
        previousNames = previous
        self.previous = Set(previous)
        failed = dirFD < 0 ? "." : nil
    }

    func close() {
        if dirFD >= 0 { _ = Glibc.close(dirFD) }
        if previousFD >= 0 { _ = Glibc.close(previousFD) }
    }

    /// Records `name` as unchanged, or keeps its bytes for `writeNew`.
    func compare(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>, into written: inout Written) {
        written.names.append(name)
        if previousFD >= 0, previous.contains(name), isUnchanged(name, bytes) {
            written.unchanged.append(name)
        } else {
            written.new.append((name, bytes.count))
            written.data.append(contentsOf: bytes)
        }
    }

    /// Creates the files `compare` kept, stopping at the first that fails.
    func writeNew(_ written: inout Written) {
        var at = 0
        let data = written.data
        data.withUnsafeBufferPointer { all in
            for f in written.new {
                if written.failed != nil { return }
                if !writeNew(f.name, UnsafeBufferPointer(rebasing: all[at..<(at + f.count)])) { written.failed = f.name }
                at += f.count
            }
        }
        written.new = []
        written.data = []
    }

    /// True when the previous output's `name` is a plain file as we write it (mode 0644 less
    /// the umask, one link) holding exactly `bytes`.
    private func isUnchanged(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let fd = openat(previousFD, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 { return false }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_mode & 0o7777 == mode,
              st.st_nlink == 1, Int(st.st_size) == bytes.count else { return false }
        let n = bytes.count
        if n == 0 { return true }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        defer { buffer.deallocate() }
        var at = 0
        while at < n {
            let r = pread(fd, buffer + at, n - at, off_t(at))
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return false }
            at += r
        }
        return memcmp(buffer, bytes.baseAddress!, n) == 0
    }

    /// Hard-links the previous output's `names` into the new directory (copies one when it
    /// cannot be linked); returns the name that failed.
    func linkUnchanged(_ names: [String]) -> String? {
        for name in names where linkat(previousFD, name, dirFD, name, 0) != 0 {
            if !copy(name) { return name }
        }
        return nil
    }

    private func copy(_ name: String) -> Bool {
        let fd = openat(previousFD, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 { return false }
        defer { _ = Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let r = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if r < 0 && errno == EINTR { continue }
            if r < 0 { return false }
            if r == 0 { break }
            bytes.append(contentsOf: chunk[0..<r])
        }
        return bytes.withUnsafeBufferPointer { writeNew(name, $0) }
    }

    /// Creates `name` (the directory is new and ours: no temporary file per file needed).
    private func writeNew(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let fd = openat(dirFD, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { return false }
        var ok = true
        var at = 0
        while at < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + at, bytes.count - at)
            if n < 0 {
                if errno == EINTR { continue }
                ok = false
                break
            }
            at += n
        }
        return Glibc.close(fd) == 0 && ok
    }

    /// Unlinks the previous output's files (after the swap: the descriptor follows the
    /// directory to its new name).
    func removePrevious() {
        if previousFD < 0 { return }
        for name in previousNames { _ = unlinkat(previousFD, name, 0) }
    }
}
