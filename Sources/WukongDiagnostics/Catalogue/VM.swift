// VMs and cloud-init (E05xx, W05xx).
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func vmEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .podNetwork:
            return (title: "more than one pod NIC",
                    body: """
                        A VM can have at most one NIC on `pod`.
                        """,
                    example: """
                        nic a on pod
                        nic b on pod
                        """)
        case .resources:
            return (title: "invalid CPU or memory",
                    body: """
                        `cpu` must be at least 1 and `memory` at least 128Mi.
                        """,
                    example: """
                        vm tiny { cpu = 0, memory = 64Mi, … }
                        """)
        case .password:
            return (title: "plain or malformed password",
                    body: """
                        Plain `password` is rejected: write `password_hash` with a crypt(3) hash
                        (`openssl passwd -6`). A hash must look like `$id$[rounds=N$]salt$hash` with
                        id 1, 5, 6, y or 2b.
                        """,
                    example: """
                        user admin { password = "secret" }
                        """)
        case .sshKey:
            return (title: "malformed SSH public key",
                    body: """
                        An SSH key must be `<type> <base64> [comment]` with a known type
                        (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-…), base64 that
                        decodes, and the same type named inside the key blob.
                        """,
                    example: """
                        ssh_keys = ["ssh-ed25519 not-base64"]
                        """)
        case .cloudConfig:
            return (title: "invalid cloud_config",
                    body: """
                        `cloud_config` must be a YAML mapping; its keys may not collide with keys
                        the generated user data sets (`users`, `runcmd` when `run` is used). For a
                        single string literal the error points at the line inside the string.
                        """,
                    example: """
                        cloud_config = \"""
                          packages: [nginx
                          \"""
                        """)
        case .vmNic:
            return (title: "bad VM NIC name",
                    body: """
                        Two NICs of one VM share a name, or a NIC is named like a built-in member
                        (`name`, `address`, …).
                        """,
                    example: """
                        nic e on a
                        nic e on b
                        """)
        case .vmNicWarning:
            return (title: "VM without NIC",
                    body: """
                        A VM without any NIC has no network at all.
                        """,
                    example: "")
        case .duplicateMAC:
            return (title: "bad or duplicate MAC address",
                    body: """
                        Two NICs have the same explicit MAC, or a MAC is multicast or all zeros, or
                        `02:00:00:00:00:00` (reserved by KubeVirt's in-pod bridge) is set on a pod
                        NIC. The topology's `mac_prefix` must be one or two octets, locally
                        administered and unicast.
                        """,
                    example: """
                        nic a on ext { mac = "01:00:5e:00:00:01" }   // multicast
                        """)
        default:
            return nil
        }
    }
}

/// Why `cloud_config` is not YAML that cloud-init accepts (`parserMessage`: libyaml's own words).
public enum CloudConfigProblem: Sendable, Equatable {
    case invalid(parserMessage: String?)
    case duplicateKeys([String])
    /// A tag `yaml.safe_load` has no constructor for (`!!python/object`, a local `!tag`).
    case unsafeTag(String)
    /// A sequence or mapping used as a key (Python cannot hash it).
    case unhashableKey
}

/// What a `cloud_config` document is when it is not a mapping.
public enum CloudConfigShape: Sendable, Equatable { case scalar, list, alias }

// cloud_config (WukongSema/Checks/CloudConfig.swift).
extension Diagnostic {
    private static let writeAMapping = "write a YAML mapping of cloud-config keys, e.g. `packages: [nginx]`"

    public static func cloudConfigInvalidYAML(vm: String, _ problem: CloudConfigProblem, at span: Span) -> Diagnostic {
        let what: String
        switch problem {
        case .invalid(let parserMessage?): what = "is not valid YAML: \(parserMessage)"
        case .invalid(nil): what = "is not valid YAML"
        case .duplicateKeys(let keys): what = "is not valid YAML: duplicate key " + keys.map { "`\($0)`" }.joined(separator: ", ")
        case .unsafeTag(let tag):
            return Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` uses the tag `\(tag)`, which cloud-init's YAML loader rejects",
                              at: span, help: "cloud-init reads user data with `yaml.safe_load`: drop the tag, or write the value as plain YAML")
        case .unhashableKey:
            return Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` has a list or mapping as a key, which cloud-init's YAML loader rejects",
                              at: span, help: "cloud-init reads user data with `yaml.safe_load`: keys must be scalars")
        }
        return Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` \(what)", at: span,
                          help: writeAMapping)
    }
    /// `what`: what the document is instead.
    public static func cloudConfigNotMapping(vm: String, is what: CloudConfigShape, at span: Span) -> Diagnostic {
        let noun: String
        switch what {
        case .scalar: noun = "a scalar"
        case .list: noun = "a list"
        case .alias: noun = "an alias"
        }
        return Diagnostic(.cloudConfig, "`cloud_config` of VM `\(vm)` is \(noun), not a mapping", at: span,
                          help: writeAMapping)
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

/// Why a `password_hash` is not a crypt(3) hash `$id$[rounds=N$]salt$hash`.
public enum PasswordHashProblem: Sendable, Equatable {
    case noDollar
    case noMethod
    case unknownMethod(String)
    case malformedRounds
    /// Not the fields method `id` takes (`$y$params$salt$hash` for yescrypt, else `$id$salt$hash`).
    case fields(method: String)
    case emptySalt, emptyHash
    /// A character outside `./0-9A-Za-z`.
    case character(String)

    var text: String {
        switch self {
        case .noDollar: return "does not start with `$`"
        case .noMethod: return "has no method id"
        case .unknownMethod(let id): return "uses unknown method `$\(id)$`"
        case .malformedRounds: return "has a malformed `rounds=`"
        case .fields(let id): return id == "y" ? "is not `$y$params$salt$hash`" : "is not `$\(id)$salt$hash`"
        case .emptySalt: return "has an empty salt"
        case .emptyHash: return "has an empty hash"
        case .character(let c): return "contains `\(c)`, which is not a crypt character (`./0-9A-Za-z`)"
        }
    }
}

/// Why an SSH public key is not `<type> <base64> [comment]` with a key body of that type.
public enum SSHKeyProblem: Sendable, Equatable {
    case severalLines
    case notTypeAndBody
    case unsupportedType(String, allowed: [String])
    case bodyNotBase64
    case bodyTooShort
    /// The key says `declared`, its body is a `body` key.
    case typeMismatch(declared: String, body: String)

    var text: String {
        switch self {
        case .severalLines: return "spans several lines (one key per string)"
        case .notTypeAndBody: return "is not `<type> <base64> [comment]`"
        case .unsupportedType(let t, let allowed):
            return "has unsupported type `\(t)` (allowed: " + allowed.map { "`\($0)`" }.joined(separator: ", ") + ")"
        case .bodyNotBase64: return "has a key body that is not valid base64"
        case .bodyTooShort: return "has a key body too short to name its type"
        case .typeMismatch(let declared, let body): return "says `\(declared)`, but its key body is a `\(body)` key"
        }
    }
}

/// Why a VM NIC cannot have its name.
public enum NICNameProblem: Sendable, Equatable {
    /// Another NIC of the VM, declared at `first`, has the name.
    case taken(first: Span)
    /// The name is a built-in member of VMs (`name`, `address`, an attribute).
    case builtInMember
}

/// What is wrong with an explicit MAC of a VM NIC (other than being taken).
public enum MACProblem: Sendable, Equatable {
    case allZeros
    case multicast
    /// `02:00:00:00:00:00` on a pod NIC: KubeVirt's masquerade binding uses it inside the pod.
    case reservedOnPod
}

/// What is wrong with the topology's `mac_prefix`.
public enum MACPrefixProblem: Sendable, Equatable {
    case notOneOrTwoOctets
    case multicast
    case notLocallyAdministered
}

// Resources, users, credentials (WukongSema/Checks/VMChecks.swift).
extension Diagnostic {
    public static func tooFewCPUs(vm: String, cpus: Int, at span: Span) -> Diagnostic {
        Diagnostic(.resources, "VM `\(vm)` has \(cpus) CPUs", at: span, help: "set `cpu` to at least 1")
    }

    public static func tooLittleMemory(vm: String, memory: String, at span: Span) -> Diagnostic {
        Diagnostic(.resources, "VM `\(vm)` has \(memory) of memory, less than 128Mi", at: span,
                   help: "set `memory` to at least `128Mi`")
    }

    public static func plainPassword(user: String, at span: Span) -> Diagnostic {
        Diagnostic(.password, "user `\(user)` sets a plain `password`", at: span,
                   help: "set `password_hash` to a crypt(3) hash instead, e.g. the output of `openssl passwd -6`")
    }

    public static func malformedPasswordHash(user: String, _ problem: PasswordHashProblem, at span: Span) -> Diagnostic {
        Diagnostic(.password, "`password_hash` of user `\(user)` \(problem.text)", at: span,
                   help: "use a crypt(3) hash `$id$[rounds=N$]salt$hash` (id 1, 5, 6, y or 2b), e.g. from `openssl passwd -6`")
    }

    public static func malformedSSHKey(user: String, _ problem: SSHKeyProblem, at span: Span) -> Diagnostic {
        Diagnostic(.sshKey, "ssh key of user `\(user)` \(problem.text)", at: span,
                   help: "paste one line of a `.pub` file, e.g. `ssh-ed25519 AAAAC3Nza... user@host`")
    }
}

// A VM's NICs: names, guest interface names, MACs.
extension Diagnostic {
    public static func vmWithoutNIC(_ vm: String, at span: Span) -> Diagnostic {
        Diagnostic(.vmNicWarning, "VM `\(vm)` has no NIC", at: span,
                   help: "add `nic default on pod` (or a NIC on a declared network); without one the VM has no network")
    }

    /// NIC `nic` of VM `vm` cannot have its name, because of `problem`.
    public static func badNICName(_ nic: String, vm: String, _ problem: NICNameProblem, at span: Span) -> Diagnostic {
        switch problem {
        case .taken(let first):
            return Diagnostic(.vmNic, "VM `\(vm)` has two NICs named `\(nic)`", at: span,
                              notes: [DiagnosticNote("first declared here", at: first)],
                              help: "give every NIC of a VM its own name")
        case .builtInMember:
            return Diagnostic(.vmNic, "`\(nic)` is a built-in member name and cannot name a NIC", at: span,
                              help: "rename the NIC (e.g. `\(nic)0` or `nic-\(nic)`)")
        }
    }

    /// `ifname` of NIC `nic` is not a name the guest can give an interface.
    public static func invalidGuestInterfaceName(_ ifname: String, nic: String, _ problem: InterfaceNameProblem,
                                                 at span: Span) -> Diagnostic {
        Diagnostic(.interfaceName, "guest interface name `\(ifname)` of NIC `\(nic)` \(problem.text)", at: span,
                   help: "use a name of at most 15 bytes without `/`, `:` or whitespace, other than `default`, `all` and `lo` (e.g. `\(nic == "default" ? "pod0" : "eth-" + nic)`)")
    }

    /// NIC `first` of the same VM has `ifname` too, written at `firstSpan`.
    public static func duplicateGuestInterfaceName(_ ifname: String, usedBy first: String, at span: Span,
                                                   firstSpan: Span) -> Diagnostic {
        Diagnostic(.interfaceName, "guest interface name `\(ifname)` is already used by NIC `\(first)`", at: span,
                   notes: [DiagnosticNote("first used here", at: firstSpan)],
                   help: "give every NIC of a VM its own `ifname`")
    }

    public static func badMAC(_ mac: String, _ problem: MACProblem, at span: Span) -> Diagnostic {
        switch problem {
        case .allZeros:
            return Diagnostic(.duplicateMAC, "MAC `\(mac)` is all zeros", at: span,
                              help: "use a unicast, locally administered MAC such as `0e:00:00:00:00:01`, or drop `mac` to derive one")
        case .multicast:
            return Diagnostic(.duplicateMAC, "MAC `\(mac)` is a multicast address", at: span,
                              help: "clear the lowest bit of the first octet (e.g. `0e:…`), or drop `mac` to derive one")
        case .reservedOnPod:
            return Diagnostic(.duplicateMAC, "MAC `\(mac)` is reserved on the pod NIC", at: span,
                              help: "KubeVirt's masquerade binding uses it inside the pod: pick another MAC, or drop `mac` to derive one")
        }
    }

    /// NIC `nic` of VM `vm` has `mac` first, written at `first`.
    public static func duplicateMAC(_ mac: String, nic: String, vm: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateMAC, "MAC `\(mac)` is already used by NIC `\(nic)` of VM `\(vm)`", at: span,
                   notes: [DiagnosticNote("first used here", at: first)],
                   help: "give every NIC its own MAC, or drop `mac` to derive one")
    }

    public static func badMACPrefix(_ prefix: String, _ problem: MACPrefixProblem, at span: Span) -> Diagnostic {
        let what: String
        switch problem {
        case .notOneOrTwoOctets: what = "is not one or two octets"
        case .multicast: what = "makes multicast MACs"
        case .notLocallyAdministered: what = "is not locally administered"
        }
        return Diagnostic(.duplicateMAC, "`mac_prefix` \"\(prefix)\" \(what)", at: span,
                          help: "use one or two hex octets whose first is unicast and locally administered (second hex digit 2, 6, a or e), e.g. `\"0e\"` or `\"0e:5a\"`")
    }
}

// A diagnostic inside a declaration that makes several VMs (a `for`, a `fn` called twice).
extension Diagnostic {
    /// Names the VM among the `count` ones made by the declaration at `span` (its name).
    public func inInstance(vm: String, of count: Int, at span: Span) -> Diagnostic {
        var d = note("in VM `\(vm)`, one of the \(count) VMs this declaration makes", at: span)
        d.instance = vm
        return d
    }
}
