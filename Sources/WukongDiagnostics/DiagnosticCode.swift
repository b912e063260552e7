/// The catalogue of stable diagnostic codes. `E01xx` syntax, `E02xx` names, `E03xx` types,
/// `E04xx` network topology, `E05xx` VM/cloud-init, `E06xx` Kubernetes naming; `W…` warnings.
/// `check` is the check id of LANGUAGE.md §6 the code belongs to.
public enum DiagnosticCode: String, Sendable, CaseIterable, Comparable {
    // syntax
    case invalidCharacter = "E0101"
    case invalidUTF8 = "E0102"
    case unterminatedString = "E0103"
    case unterminatedComment = "E0104"
    case invalidEscape = "E0105"
    case invalidNumber = "E0106"
    case invalidQuantity = "E0107"
    case invalidIPv4 = "E0108"
    case invalidPrefix = "E0109"
    case unexpectedToken = "E0110"
    case multilineIndentation = "E0111"
    case nestingTooDeep = "E0112"
    case invalidIdentifier = "E0113"
    // names
    case unknownName = "E0201"
    case duplicateDeclaration = "E0202"
    case unknownAttribute = "E0203"
    case missingAttribute = "E0204"
    case duplicateAttribute = "E0205"
    case unknownModule = "E0206"
    case definitionCycle = "E0207"
    case recursiveFunction = "E0208"
    case shadowedName = "E0209"
    case invalidDeclarationName = "E0210"
    case unknownMember = "E0211"
    // types
    case typeMismatch = "E0301"
    case wrongResourceKind = "E0302"
    case integerOverflow = "E0303"
    case divisionByZero = "E0304"
    case invalidLiteralConversion = "E0305"
    case cidrHostBits = "E0306"
    case unknownEnumValue = "E0307"
    case unsetAttribute = "E0308"
    case wrongArgumentCount = "E0309"
    case valueOutOfRange = "E0310"
    case notAValue = "E0311"
    case assertionFailed = "E0320"
    // network topology
    case attachment = "E0401"
    case subnet = "E0402"
    case prefixMismatch = "E0403"
    case reservedAddress = "E0404"
    case duplicateIP = "E0405"
    case poolExhausted = "E0406"
    case duplicateMAC = "E0407"
    case vlan = "E0408"
    case port = "E0409"
    case host = "E0410"
    case interfaceName = "E0411"
    case mtu = "E0412"
    case nodeAddress = "E0413"
    case route = "E0414"
    case ipam = "E0415"
    case overlapWarning = "W0401"
    case routeWarning = "W0402"
    case unusedWarning = "W0403"
    case vlanWarning = "W0404"
    case nodeAddressWarning = "W0405"
    case ipamWarning = "W0406"
    case macvtapWarning = "W0407"
    case migrateWarning = "W0408"
    // VM / cloud-init
    case podNetwork = "E0501"
    case resources = "E0502"
    case password = "E0503"
    case sshKey = "E0504"
    case cloudConfig = "E0505"
    case vmNic = "E0506"
    case vmNicWarning = "W0501"
    case image = "E0507"
    case imageTagWarning = "W0502"
    // disks and instance types (docs/vm-reference.md)
    case disk = "E0508"
    case bootDisk = "E0509"
    case instancetype = "E0510"
    // placement and lifecycle (docs/vm-reference.md)
    case placement = "E0520"
    case runStrategy = "E0521"
    case toleration = "E0522"
    case nicModel = "E0523"
    // the `kubevirt { }` escape hatch (docs/vm-reference.md; Catalogue/Kubevirt.swift)
    case kubevirtUnknownField = "E0530"
    case kubevirtType = "E0531"
    case kubevirtOwned = "E0532"
    case kubevirtPath = "E0533"
    // pod bindings (and, next, OVN-Kubernetes networks: docs/networks-reference.md)
    case podBinding = "E0540"
    case ovn = "E0541"
    case ovnIPAM = "E0544"
    case ovnMTU = "E0545"
    case ovnLocalnet = "E0542"
    case ovnSame = "E0543"
    // Kubernetes naming
    case kubernetesName = "E0601"
    case duplicateObject = "E0602"
    case namespaceName = "E0603"
    case label = "E0604"
    // driver
    case io = "E0001"
    case tooManyErrors = "E0002"
    case unnamedTopology = "E0003"

    public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.rawValue < b.rawValue }

    public var severity: Severity { rawValue.hasPrefix("W") ? .warning : .error }

    /// The check id of LANGUAGE.md §6 ("names", "types", "N-SUBNET", …).
    public var check: String {
        switch self {
        case .invalidCharacter, .invalidUTF8, .unterminatedString, .unterminatedComment, .invalidEscape,
             .invalidNumber, .invalidQuantity, .invalidIPv4, .invalidPrefix, .unexpectedToken,
             .multilineIndentation, .nestingTooDeep, .invalidIdentifier: return "syntax"
        case .unknownName, .duplicateDeclaration, .unknownAttribute, .missingAttribute, .duplicateAttribute,
             .unknownModule, .definitionCycle, .recursiveFunction, .shadowedName, .invalidDeclarationName,
             .unknownMember: return "names"
        case .typeMismatch, .wrongResourceKind, .integerOverflow, .divisionByZero, .invalidLiteralConversion,
             .cidrHostBits, .unknownEnumValue, .unsetAttribute, .wrongArgumentCount, .valueOutOfRange,
             .notAValue: return "types"
        case .assertionFailed: return "assert"
        case .attachment: return "N-ATTACH"
        case .subnet: return "N-SUBNET"
        case .prefixMismatch: return "N-PREFIX"
        case .reservedAddress: return "N-RESERVED"
        case .duplicateIP: return "N-DUP-IP"
        case .poolExhausted: return "N-POOL"
        case .duplicateMAC: return "N-DUP-MAC"
        case .vlan, .vlanWarning: return "N-VLAN"
        case .port: return "N-PORT"
        case .host: return "N-HOST"
        case .interfaceName: return "N-IFNAME"
        case .mtu: return "N-MTU"
        case .nodeAddress, .nodeAddressWarning: return "N-NODE-ADDR"
        case .route, .routeWarning: return "N-ROUTE"
        case .ipam, .ipamWarning: return "N-IPAM"
        case .overlapWarning: return "N-OVERLAP"
        case .macvtapWarning: return "N-MACVTAP"
        case .unusedWarning: return "N-UNUSED"
        case .podNetwork: return "V-POD"
        case .resources: return "V-RES"
        case .password: return "V-PASS"
        case .sshKey: return "V-SSHKEY"
        case .cloudConfig: return "V-CLOUD"
        case .vmNic, .vmNicWarning: return "V-NIC"
        case .image: return "V-IMAGE"
        case .imageTagWarning: return "V-IMAGE-TAG"
        case .migrateWarning: return "N-MIGRATE"
        case .disk: return "V-DISK"
        case .bootDisk: return "V-BOOT"
        case .instancetype: return "V-ITYPE"
        case .placement: return "V-PLACE"
        case .runStrategy: return "V-RUN"
        case .toleration: return "V-TOLERATION"
        case .nicModel: return "V-NIC-MODEL"
        case .kubevirtUnknownField, .kubevirtType, .kubevirtOwned, .kubevirtPath: return "V-KUBEVIRT"
        case .podBinding: return "N-BINDING"
        case .ovn: return "N-OVN"
        case .ovnIPAM: return "N-OVN-IPAM"
        case .ovnMTU: return "N-OVN-MTU"
        case .ovnLocalnet: return "N-LOCALNET"
        case .ovnSame: return "N-OVN-SAME"
        case .kubernetesName, .duplicateObject, .namespaceName, .label: return "K-NAME"
        case .io, .tooManyErrors, .unnamedTopology: return "driver"
        }
    }

    /// Look up by code ("E0402", case-insensitive) or by check id ("N-SUBNET": the first code of that check).
    public static func lookup(_ text: String) -> DiagnosticCode? {
        let up = text.uppercased()
        if let c = DiagnosticCode(rawValue: up) { return c }
        return allCases.first { $0.check.uppercased() == up }
    }
}
