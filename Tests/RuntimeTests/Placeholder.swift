import XCTest
final class RuntimePlaceholderTests: XCTestCase { func testBuilds() {} }
