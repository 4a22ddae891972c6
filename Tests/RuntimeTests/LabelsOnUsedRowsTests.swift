import Foundation
import Plan
import Runtime
import XCTest

/// Issue 14: what a stage declares about its data is what it trains on. A `bce()` target
/// is checked on the rows the stage uses (after its `where` filter), not on the whole
/// file; unfiltered data keeps the class ids it always had; and data with a `text`
/// column has no numeric features, whatever its other columns hold.
final class LabelsOnUsedRowsTests: XCTestCase {
    /// Twelve rows, ordered split (train rows 0–7, valid 8–11): numeric label `digit` 0…2
    /// and string label `kind` (cat, dog, fish).
    static let csv = """
        x,digit,kind
        1,0,cat
        2,1,dog
        3,2,fish
        4,0,cat
        5,1,dog
        6,2,fish
        7,0,cat
        8,1,dog
        9,2,fish
        10,0,cat
        11,1,dog
        12,2,fish

        """

    func dataset(label: String, target: TargetKind, features: [String]? = ["x"]) throws -> Dataset {
        let table = try CSVReader.parse(bytes: Array(Self.csv.utf8), path: "labels.csv")
        return try Dataset(spec: DataSpec(source: .csv(path: "labels.csv"), label: label, features: features, target: target,
                                          split: SplitRule(.ordered, train: 2.0 / 3, valid: 1.0 / 3)), table: table)
    }

    static func below(_ column: String, _ n: Double) -> RowPredicate { .compare(.column(column), .less, .number(n)) }
    static func not(_ column: String, _ s: String) -> RowPredicate { .compare(.column(column), .notEqual, .string(s)) }

    /// Numeric 0/1 labels on the filtered rows train; a 2 among the used rows is refused
    /// naming its line, as it always was without a filter.
    func testNumericBinaryLabelsAreCheckedOnTheFilteredRows() throws {
        let data = try dataset(label: "digit", target: .binary)
        let prepared = try data.prepare(filter: Self.below("digit", 2))
        XCTAssertEqual(prepared.classNames, ["0", "1"])
        XCTAssertEqual(prepared.train.labels, [0, 1, 0, 1, 0, 1])
        XCTAssertEqual(prepared.train.targets, [0, 1, 0, 1, 0, 1])
        XCTAssertEqual(prepared.valid.targets, [0, 1])
        XCTAssertThrowsError(try data.prepare()) { error in
            XCTAssertTrue("\(error)".contains("label '2' in column 'digit' (data row 2) is not 0 or 1"), "\(error)")
        }
        // A filter keeping a 2 in the valid split only is refused too.
        XCTAssertThrowsError(try data.prepare(filter: .compare(.column("x"), .greater, .number(8))))
    }

    /// String labels: three values in the file, two on the used rows, numbered 0 and 1 in
    /// sorted order among those two; a file of exactly two values keeps its numbering.
    func testStringBinaryLabelsAreNumberedOnTheRowsUsed() throws {
        let data = try dataset(label: "kind", target: .binary)
        let withoutCat = try data.prepare(filter: Self.not("kind", "cat"))
        XCTAssertEqual(withoutCat.classNames, ["dog", "fish"])
        XCTAssertEqual(withoutCat.train.targets, [0, 1, 0, 1, 0])
        XCTAssertEqual(withoutCat.train.labels, [0, 1, 0, 1, 0])
        let withoutDog = try data.prepare(filter: Self.not("kind", "dog"))
        XCTAssertEqual(withoutDog.classNames, ["cat", "fish"])
        XCTAssertEqual(withoutDog.valid.targets, [1, 0, 1])
        XCTAssertThrowsError(try data.prepare()) { error in
            XCTAssertTrue("\(error)".contains("has 3 on the rows the stage uses: cat, dog, fish"), "\(error)")
        }
        // Two values in the file: their ids do not depend on the filter (dog stays 1).
        let twoCSV = "x,kind\n1,cat\n2,dog\n3,dog\n4,cat\n5,dog\n6,dog\n"
        let two = try Dataset(spec: DataSpec(source: .csv(path: "two.csv"), label: "kind", features: ["x"], target: .binary,
                                             split: SplitRule(.ordered, train: 2.0 / 3, valid: 1.0 / 3)),
                              table: try CSVReader.parse(bytes: Array(twoCSV.utf8), path: "two.csv"))
        let dogs = try two.prepare(filter: Self.not("kind", "cat"))
        XCTAssertEqual(dogs.classNames, ["cat", "dog"])
        XCTAssertEqual(dogs.train.targets, [1, 1])
        let dogAndFish = try data.prepare(filter: .compare(.column("digit"), .greaterOrEqual, .number(1)))
        XCTAssertEqual(dogAndFish.train.labels, [0, 1, 0, 1, 0], "dog 0, fish 1")
    }

    /// Class ids (`cross_entropy`) stay those of the whole file whatever the filter.
    func testClassIdsDoNotDependOnTheFilter() throws {
        let data = try dataset(label: "kind", target: .classes)
        let all = try data.prepare()
        let filtered = try data.prepare(filter: Self.not("kind", "cat"))
        XCTAssertEqual(all.classNames, ["cat", "dog", "fish"])
        XCTAssertEqual(filtered.classNames, ["cat", "dog", "fish"])
        XCTAssertEqual(filtered.train.labels, [1, 2, 1, 2, 1])
    }

    /// Data with a `text` column: its other columns, strings included, are not features.
    func testTextDataHasNoDefaultFeatures() throws {
        let csv = "text,label,topic,n\nred apple,0,food,1\nblue sea,1,nature,2\ngreen pear,0,food,3\n"
        let table = try CSVReader.parse(bytes: Array(csv.utf8), path: "texts.csv")
        let data = try Dataset(spec: DataSpec(source: .csv(path: "texts.csv"), label: "label", text: "text",
                                              split: SplitRule(.ordered, train: 2.0 / 3, valid: 1.0 / 3)), table: table)
        XCTAssertEqual(data.featureNames, [])
        let prepared = try data.prepare()
        XCTAssertEqual(prepared.train.texts, ["red apple", "blue sea"])
        XCTAssertEqual(prepared.train.featureCount, 0)
        // Numeric data with a string column still fails, naming it.
        XCTAssertThrowsError(try Dataset(spec: DataSpec(source: .csv(path: "texts.csv"), label: "label",
                                                        split: SplitRule(.ordered, train: 2.0 / 3, valid: 1.0 / 3)), table: table)) { error in
            XCTAssertTrue("\(error)".contains("text"), "\(error)")
        }
    }
}
