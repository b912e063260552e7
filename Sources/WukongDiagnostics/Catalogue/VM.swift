// VMs and cloud-init (E05xx, W05xx).
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func vmEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .podNetwork:
            return ("more than one pod NIC", "A VM can have at most one NIC on `pod`.", "nic a on pod\nnic b on pod")
        case .resources:
            return ("invalid CPU or memory", "`cpu` must be at least 1 and `memory` at least 128Mi.", "vm tiny { cpu = 0, memory = 64Mi, … }")
        case .password:
            return ("plain or malformed password", "Plain `password` is rejected: write `password_hash` with a crypt(3) hash (`openssl passwd -6`). A hash must look like `$id$[rounds=N$]salt$hash` with id 1, 5, 6, y or 2b.", "user admin { password = \"secret\" }")
        case .sshKey:
            return ("malformed SSH public key", "An SSH key must be `<type> <base64> [comment]` with a known type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-…), base64 that decodes, and the same type named inside the key blob.", "ssh_keys = [\"ssh-ed25519 not-base64\"]")
        case .cloudConfig:
            return ("invalid cloud_config", "`cloud_config` must be a YAML mapping; its keys may not collide with keys the generated user data sets (`users`, `runcmd` when `run` is used). For a single string literal the error points at the line inside the string.", "cloud_config = \"\"\"\n  packages: [nginx\n  \"\"\"")
        case .vmNic:
            return ("bad VM NIC name", "Two NICs of one VM share a name, or a NIC is named like a built-in member (`name`, `address`, …).", "nic e on a\nnic e on b")
        case .vmNicWarning:
            return ("VM without NIC", "A VM without any NIC has no network at all.", "")
        case .image:
            return ("configuration the image never applies", "The VM's image has `network_config = \"none\"` (CirrOS): it reads no cloud-init network configuration, so a static or `auto` address, an `ifname`, network `routes`, a `user`, `run` or `cloud_config` would silently never take effect. Use an image that applies cloud-init, or drop the setting.", "vm a { …, image = images.cirros\n  nic e on lan { address = 10.0.0.5 }   // never set in the guest\n}")
        case .imageTagWarning:
            return ("image not pinned", "The image reference has the tag `latest`, or neither a tag nor a digest: the VM's disk changes under you at every restart. Pin a version tag or a digest (`@sha256:…`).", "image = \"quay.io/containerdisks/fedora:latest\"")
        default:
            return nil
        }
    }
}

// cloud_config (WukongSema/Checks/CloudConfig.swift).
extension Diagnostic {
    /// `problem`: the YAML parser's message.
    public static func cloudConfigInvalidYAML(vm: String, problem: String, at span: Span) -> Diagnostic {
        Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` \(problem)", at: span,
                   help: "write a YAML mapping of cloud-config keys, e.g. `packages: [nginx]`")
    }
    /// `what`: what the document is instead ("a list", …).
    public static func cloudConfigNotMapping(vm: String, is what: String, at span: Span) -> Diagnostic {
        Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` is \(what), not a mapping", at: span,
                   help: "write a YAML mapping of cloud-config keys, e.g. `packages: [nginx]`")
    }
    /// `key` (`users` or `runcmd`) collides with the generated user data; `source` is the first
    /// user block (for `users`) or the `run` attribute (for `runcmd`) that generates it.
    public static func cloudConfigGeneratedKey(vm: String, key: String, at span: Span, source: Span?) -> Diagnostic {
        let note: DiagnosticNote?, help: String
        if key == "users" {
            note = source.map { DiagnosticNote("user declared here", at: $0) }
            help = "declare the users with `user NAME { ... }` blocks only, or drop them from `cloud_config`"
        } else {
            note = source.map { DiagnosticNote("`run` set here", at: $0) }
            help = "put the commands into `run`, or move `run` into `cloud_config`'s `runcmd`"
        }
        return Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` sets `\(key)`, which the generated user data sets too",
                          at: span, notes: note.map { [$0] } ?? [], help: help)
    }
}
