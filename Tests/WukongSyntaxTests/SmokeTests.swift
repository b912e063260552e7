import XCTest
import WukongDiagnostics
@testable import WukongSyntax

final class SmokeTests: XCTestCase {
    func testSmoke() {
        let (f, d) = T.parse("""
        import std.images
        topology lab { namespace = "vms" }
        nic ens192
        vm "web-${i + 1}" {
          cpu = 2 * 3 + 1
          memory = 4Gi
          nic ext on external { address = 192.168.0.200, metric = 100 }
          labels = { "a.b/c" = "x" }
          cloud_config = \"\"\"
            packages: [x]
              - y ${z}
            \"\"\"
        }
        """)
        print(T.dump(f.items))
        print(d)
    }
}
