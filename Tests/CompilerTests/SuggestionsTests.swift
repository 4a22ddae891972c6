import Plan
import Compiler
import XCTest

final class SuggestionsTests: XCTestCase {
    func testEditDistance() {
        XCTAssertEqual(Suggestions.editDistance("", ""), 0)
        XCTAssertEqual(Suggestions.editDistance("abc", ""), 3)
        XCTAssertEqual(Suggestions.editDistance("", "abc"), 3)
        XCTAssertEqual(Suggestions.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestions.editDistance("adamw", "adamw"), 0)
        XCTAssertEqual(Suggestions.editDistance("adamx", "adamw"), 1)
        XCTAssertEqual(Suggestions.editDistance("optimiser", "optimizer"), 1)
        XCTAssertEqual(Suggestions.editDistance("lable", "label"), 1, "a transposition is one edit")
        XCTAssertEqual(Suggestions.editDistance("é", "e"), 1, "scalars, not bytes")
    }

    func testClosestSuggestion() {
        let optimizers = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]
        XCTAssertEqual(Suggestions.closest(to: "adamx", in: optimizers), "adam")
        XCTAssertEqual(Suggestions.closest(to: "rmsprob", in: optimizers), "rmsprop")
        XCTAssertEqual(Suggestions.closest(to: "AdamW", in: optimizers), "adamw")
        XCTAssertNil(Suggestions.closest(to: "lbfgs", in: optimizers), "nothing close: no suggestion")
        XCTAssertNil(Suggestions.closest(to: "adam", in: ["adam"]), "never suggests the name itself")
        XCTAssertEqual(Suggestions.closest(to: "batchsize", in: ["epochs", "batch_size", "lr"]), "batch_size")
    }
}
