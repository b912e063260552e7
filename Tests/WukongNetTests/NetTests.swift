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
    /// Padding edges (55/56 bytes: one or two final blocks; 64: a full block) against Python's hashlib:
    /// python3 -c "import hashlib;m=bytes((i*7+3)%256 for i in range(N));print(hashlib.sha256(m).hexdigest(), hashlib.sha1(m).hexdigest())"
    func testHashVectorsAcrossBlockBoundaries() {
        let vectors: [(Int, String, String)] = [
            (0, "e3b0c44298fc1c14", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (55, "e7313d333c272e63", "ddf57317ef34bfee3b6df83d359098930eb278bc"),
            (56, "4324d65f3c103567", "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"),
            (63, "81c80242132f230c", "c55856749bef509bdfe6bfebfc7bf4e793e82132"),
            (64, "39e3d7b6b5d075d3", "bede92be29c3874e1b54ddc77988d606fc857a8e"),
            (119, "9ce7368e4daf3234", "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"),
            (120, "7836b787757e95e5", "82134b02fb3f702491be9bed581eeab59334acb2"),
            (200, "2c7e18c942ef065b", "892b673ca3c696ab13ab8aab3cf3abfbc3aaeb3b"),
        ]
        for (n, sha256Prefix, sha1) in vectors {
            let m = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            XCTAssertEqual(String(Hash.sha256Prefix64(m), radix: 16).leftPadded(16), sha256Prefix, "sha256Prefix64, length \(n)")
            XCTAssertEqual(String(Hash.hex(Hash.sha256(m)).prefix(16)), sha256Prefix, "sha256, length \(n)")
            XCTAssertEqual(Hash.hex(Hash.sha1(m)), sha1, "sha1, length \(n)")
        }
        // FIPS 180 two-block message
        let abc = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(Hash.hex(Hash.sha256(abc)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Hash.sha256Prefix64(abc), 0x248d6a61d20638b8)
        XCTAssertEqual(Hash.hex(Hash.sha1(abc)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(Hash.hex(Hash.sha256(Array(repeating: 0x61, count: 1000))),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
    func testSHA256PrefixAgreesWithFullDigest() {
        for n in 0..<200 {
            let message = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let expected = Hash.sha256(message).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            XCTAssertEqual(Hash.sha256Prefix64(message), expected, "length \(n)")
        }
    }
    func testUUIDv5WithPrefix() {
        // python3 -c "import uuid;print(uuid.uuid5(uuid.NAMESPACE_URL,'wukong://default/web-01'))"
        XCTAssertEqual(Hash.uuidV5URL(prefix: "wukong://default/", name: "web-01"), "e9ecb7eb-067e-5194-ae6e-c273bc9ab4f9")
        XCTAssertEqual(Hash.uuidV5URL("wukong://default/web-01"), "e9ecb7eb-067e-5194-ae6e-c273bc9ab4f9")
        for name in ["a", "ubuntu-vm", "web-100", String(repeating: "x", count: 200)] {
            XCTAssertEqual(Hash.uuidV5URL(prefix: "wukong://vms/", name: name), Hash.uuidV5URL("wukong://vms/" + name))
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
