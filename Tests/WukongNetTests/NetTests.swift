import XCTest
@testable import WukongNet

final class NetTests: XCTestCase {
    func testIPv4() {
        XCTAssertEqual(IPAddress("192.168.0.1")?.description, "192.168.0.1")
        XCTAssertNil(IPAddress("010.0.0.1"))
        XCTAssertNil(IPAddress("1.2.3"))
        XCTAssertEqual(IPAddress("10.0.0.255")!.adding(1)?.description, "10.0.1.0")
        XCTAssertNil(IPAddress("255.255.255.255")!.adding(1))
    }
    func testIPv6() {
        XCTAssertEqual(IPAddress("fd00::10")?.description, "fd00::10")
        XCTAssertEqual(IPAddress("2001:DB8:0:0:1:0:0:1")?.description, "2001:db8::1:0:0:1")
        XCTAssertEqual(IPAddress("::")?.description, "::")
        XCTAssertEqual(IPAddress("::ffff:1.2.3.4")?.description, "::ffff:102:304")
        XCTAssertNil(IPAddress("1::2::3"))
    }
    func testCIDR() {
        let c = CIDR.parse("192.168.0.0/24").cidr!
        XCTAssertEqual(c.size, 256)
        XCTAssertEqual(c.broadcast.description, "192.168.0.255")
        XCTAssertEqual(c.host(1)?.description, "192.168.0.1")
        XCTAssertNil(c.host(256))
        XCTAssertNil(CIDR.parse("192.168.0.1/24").cidr)
        XCTAssertNotNil(CIDR.parse("192.168.0.1/24").ifaddr)
        XCTAssertTrue(c.contains(IPAddress("192.168.0.77")!))
    }
    func testMACAndQuantity() {
        XCTAssertEqual(MACAddress("0E:00:00:AA:BB:CC")?.description, "0e:00:00:aa:bb:cc")
        XCTAssertTrue(MACAddress("01:00:00:00:00:00")!.isMulticast)
        XCTAssertEqual(try Quantity.parse("4Gi").get().description, "4Gi")
        XCTAssertEqual(Quantity(bytes: 1_500_000_000).description, "1500M")
        XCTAssertEqual(Quantity(bytes: 1025).description, "1025")
    }
    func testHashes() {
        XCTAssertEqual(Hash.hex(Hash.sha256(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Hash.hex(Hash.sha1(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        // python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, "wukong://vms/ubuntu-vm"))'
        XCTAssertEqual(Hash.uuidV5URL("wukong://vms/ubuntu-vm"), "b2f56449-5827-56b9-af41-aa84fbbb732b")
    }
}
