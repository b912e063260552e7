import Foundation
import WukongIR
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
        try write(to: dir) { each in
            for part in Parallel.map(Parallel.chunks(objects.count), { r in render(Array(objects[r])) }) { each(part) }
        }
    }

    /// `write(KubernetesBackend.objects(for: topology), to: dir)` without the whole object tree
    /// or all file contents at once: objects are built, rendered and written a batch at a time.
    public static func write(_ topology: Topology, to dir: String) throws {
        try write(to: dir) { each in KubernetesBackend.stream(topology, render: render, each: each) }
    }

    /// File names and contents of a run of objects.
    static func render(_ objects: [KubeObject]) -> [(name: String, contents: [UInt8])] {
        let docs = YAMLDocuments()
        return objects.map { o in (name: fileName(o), contents: docs.render { $0.value(o.body) }) }
    }

    /// Writes a new file (the directory is new and ours: no temporary file per file needed).
    static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { return false }
        var ok = true
        bytes.withUnsafeBytes { buf in
            var at = 0
            while at < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + at, buf.count - at)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    return
                }
                at += n
            }
        }
        return close(fd) == 0 && ok
    }

    /// Writes the files that `produce` hands over (in order, a run at a time), then the
    /// kustomization, into a temporary sibling, and swaps it into place.
    static func write(to dir: String,
                      produce: (([(name: String, contents: [UInt8])]) -> Void) -> Void) throws {
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
        var names: [KubeValue] = []
        var failed: String? = nil
        produce { files in
            if failed != nil { return }
            for f in files {
                let path = temp + "/" + f.name
                guard writeFile(path, f.contents) else { failed = path; return }
                names.append(.string(f.name))
            }
        }
        if failed == nil {
            let path = temp + "/" + kustomization
            if !writeFile(path, Array(kustomizationText(names).utf8)) { failed = path }
        }
        if let path = failed {
            try? fm.removeItem(atPath: temp)
            throw OutputDirectoryError.io("\(path): cannot write file")
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
        // directly — FileManager.removeItem takes tens of seconds on 200 000 files.
        for e in previous { _ = unlink(old + "/" + e) }
        if rmdir(old) != 0 { try? fm.removeItem(atPath: old) }
    }

    /// Throws unless `dir` is empty or an earlier output (everything in it is listed by its
    /// `kustomization.yaml`, or is that file).
    /// Returns its entries (all plain files we wrote).
    @discardableResult
    static func checkReplaceable(_ dir: String) throws -> [String] {
        let fm = FileManager.default
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: dir).sorted() } catch {
            throw OutputDirectoryError.io("\(dir): cannot read directory: \(error.localizedDescription)")
        }
        if entries.isEmpty { return [] }
        guard entries.contains(kustomization),
              let data = fm.contents(atPath: dir + "/" + kustomization) else {
            throw OutputDirectoryError.notOurs(dir)
        }
        var listed: Set<String> = [kustomization]
        if let node = try? Yams.compose(yaml: String(decoding: data, as: UTF8.self)),
           let resources = node.mapping?["resources"]?.sequence {
            for r in resources { if let s = r.string { listed.insert(s) } }
        }
        let foreign = entries.filter { !listed.contains($0) }
        if !foreign.isEmpty { throw OutputDirectoryError.foreignFiles(dir, foreign) }
        // Only plain files we wrote: a listed name that is a directory is not ours either.
        for e in entries {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir + "/" + e, isDirectory: &isDir), isDir.boolValue {
                throw OutputDirectoryError.foreignFiles(dir, [e])
            }
        }
        return entries
    }
}
