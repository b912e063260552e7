import Foundation
import WukongDiagnostics
import WukongFormat
import WukongSyntax

/// One file through `wukongc fmt`.
public struct FormattedFile: Sendable {
    public var path: String
    /// The file's source (for rendering `diagnostics`).
    public var sources: SourceMap
    public var original: [UInt8]
    /// The canonical text; nil when the file has syntax errors (`diagnostics`).
    public var formatted: String?
    public var diagnostics: [Diagnostic]
    /// Formatting changes the file.
    public var changed: Bool { formatted.map { Array($0.utf8) != original } ?? false }
}

extension Driver {
    /// Formats every `.wk` file under `paths` (files, or directories walked recursively), in
    /// memory. Nothing is written: see `writeFormatted`.
    public static func format(paths: [String]) throws -> [FormattedFile] {
        var out: [FormattedFile] = []
        for path in paths {
            let (files, _) = try load(path: path)
            for f in files { out.append(format(f)) }
        }
        return out
    }

    public static func format(_ f: InputFile) -> FormattedFile {
        var sources = SourceMap()
        let id = sources.add(path: f.path, bytes: f.bytes)
        let r = Formatter.format(sources[id]!)
        return FormattedFile(path: f.path, sources: sources, original: f.bytes, formatted: r.text, diagnostics: r.diagnostics)
    }

    /// Replaces the file with its formatted text atomically (a temporary sibling renamed over
    /// it), keeping its permissions.
    public static func writeFormatted(_ f: FormattedFile) throws {
        guard let text = f.formatted, f.changed else { return }
        let fm = FileManager.default
        let url = URL(fileURLWithPath: f.path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).wukongc-fmt-\(getpid())")
        guard fm.createFile(atPath: tmp.path, contents: Data(text.utf8)) else {
            throw DriverError.io("\(f.path): cannot write \(tmp.path)")
        }
        if let attrs = try? fm.attributesOfItem(atPath: f.path), let perms = attrs[.posixPermissions] {
            try? fm.setAttributes([.posixPermissions: perms], ofItemAtPath: tmp.path)
        }
        guard rename(tmp.path, f.path) == 0 else {
            try? fm.removeItem(at: tmp)
            throw DriverError.io("\(f.path): cannot replace the file")
        }
    }
}
