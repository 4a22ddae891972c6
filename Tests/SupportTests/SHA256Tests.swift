import Foundation
import Support
import XCTest

/// SHA-256 against FIPS 180-2 vectors and `sha256sum` values for block-edge lengths.
final class SHA256Tests: XCTestCase {
    func testFIPSVectors() {
        XCTAssertEqual(SHA256.hash("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").hex,
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hash(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)).hex,
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 55/56-byte padding boundary and the 64-byte block size.
    func testEdgeLengthsMatchSha256sum() {
        let expected: [Int: String] = [
            0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
            128: "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e",
        ]
        for (n, hex) in expected {
            XCTAssertEqual(SHA256.hash(String(repeating: "a", count: n)).hex, hex, "length \(n)")
        }
    }

    /// Any split of the input into update calls gives the one-shot digest.
    func testStreamingMatchesOneShot() {
        let message = Data((0..<1000).map { UInt8($0 % 251) })
        let oneShot = SHA256.hash(message)
        XCTAssertEqual(oneShot.hex, "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d")
        for chunk in [1, 3, 55, 63, 64, 65, 127, 999] {
            var h = SHA256()
            var i = 0
            while i < message.count {
                let j = min(message.count, i + chunk)
                h.update(message.subdata(in: i..<j))
                i = j
            }
            XCTAssertEqual(h.finalize(), oneShot, "chunk \(chunk)")
        }
        XCTAssertEqual(oneShot.bytes.count, 32)
        XCTAssertEqual(oneShot.description, oneShot.hex)
    }

}
