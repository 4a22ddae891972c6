import Plan
import XCTest

/// The one freeze-pattern matcher (LANGUAGE.md, "Parameter patterns").
final class ParameterPatternTests: XCTestCase {
    func testPrefixPatterns() {
        XCTAssertTrue(ParameterPattern.matches("layers.0", "layers.0.weight"))
        XCTAssertTrue(ParameterPattern.matches("layers.0", "layers.0"))
        XCTAssertTrue(ParameterPattern.matches("layers", "layers.0.bias"))
        XCTAssertFalse(ParameterPattern.matches("layers.1", "layers.10.weight"), "prefixes end at a dot")
        XCTAssertFalse(ParameterPattern.matches("layer", "layers.0.weight"))
        XCTAssertFalse(ParameterPattern.matches("head.weight.x", "head.weight"))
    }

    func testGlobPatterns() {
        XCTAssertTrue(ParameterPattern.matches("encoder.*", "encoder.layer.0.attention.self.query.weight"))
        XCTAssertTrue(ParameterPattern.matches("embeddings.*", "embeddings.LayerNorm.bias"))
        XCTAssertFalse(ParameterPattern.matches("encoder.*", "embeddings.word_embeddings.weight"))
        XCTAssertTrue(ParameterPattern.matches("encoder.layer.*.attention", "encoder.layer.3.attention.output.dense.bias"), "globs match dot-boundary prefixes")
        XCTAssertTrue(ParameterPattern.matches("*.bias", "layers.2.bias"))
        XCTAssertFalse(ParameterPattern.matches("*.bias", "layers.2.weight"))
        XCTAssertTrue(ParameterPattern.matches("encoder.layer.1*", "encoder.layer.11.output.dense.weight"))
        XCTAssertTrue(ParameterPattern.glob("a*b*c", "aXXbYYc"))
        XCTAssertFalse(ParameterPattern.glob("a*b*c", "aXXbYY"))
        XCTAssertTrue(ParameterPattern.glob("*", ""))
        XCTAssertTrue(ParameterPattern.glob("**", "abc"))
        XCTAssertFalse(ParameterPattern.glob("", "a"))
    }

    func testPrefixesForSuggestions() {
        XCTAssertEqual(ParameterPattern.prefixes(of: ["layers.0.weight", "layers.0.bias", "head.weight"]),
                       ["layers", "layers.0", "layers.0.weight", "layers.0.bias", "head", "head.weight"])
    }

    func testQuestionMarkMatchesOneCharacter() {
        XCTAssertTrue(ParameterPattern.matches("layers.?.bias", "layers.2.bias"))
        XCTAssertFalse(ParameterPattern.matches("layers.?.bias", "layers.12.bias"))
        XCTAssertTrue(ParameterPattern.matches("encoder.layer.?", "encoder.layer.3.output.dense.weight"), "a prefix ending at a dot")
    }
}
