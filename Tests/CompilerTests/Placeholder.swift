import XCTest
final class CompilerPlaceholderTests: XCTestCase { func testBuilds() {} }
