import XCTest
final class DSLPlaceholderTests: XCTestCase { func testBuilds() {} }
