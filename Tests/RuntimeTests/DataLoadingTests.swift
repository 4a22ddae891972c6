import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Locations of the shipped data sets and golden files, found from this file.
enum DataFixtures {
    /// The package root (…/main), following a symlinked test file to its real place.
    static let root: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file in `data/`.
    static func path(_ name: String) -> String { root.appendingPathComponent("data").appendingPathComponent(name).path }

    /// A golden trajectory file, `golden/trajectories/NAME`.
    static func golden(_ name: String) -> String { Golden.path("trajectories/" + name) }

    static func spec(_ name: String, label: String? = "label", text: String? = nil, features: [String]? = nil,
                     target: TargetKind = .classes, normalize: Normalization = .none,
                     split: SplitRule = SplitRule(.ordered, train: 0.8, valid: 0.2)) -> DataSpec {
        DataSpec(source: .csv(path: path(name)), label: label, features: features, text: text, target: target,
                 normalize: normalize, split: split)
    }

    /// A temporary CSV file with `text`.
    static func temporaryCSV(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-data-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

final class DataLoadingTests: XCTestCase {
    func testEveryShippedDataSetLoads() throws {
        let expected: [(String, rows: Int, features: Int, classes: Int)] = [
            ("digits.csv", 1797, 64, 10), ("wine.csv", 178, 13, 3), ("breast_cancer.csv", 569, 30, 2), ("iris.csv", 150, 4, 3),
        ]
        for (name, rows, features, classes) in expected {
            let d = try Dataset.load(DataFixtures.spec(name))
            XCTAssertEqual(d.rowCount, rows, name)
            XCTAssertEqual(d.featureCount, features, name)
            XCTAssertEqual(d.rawFeatures.count, rows * features, name)
            XCTAssertEqual(d.classCount, classes, name)
            XCTAssertEqual(Set(d.labels), Set((0..<classes).map { Int32($0) }), name)
            XCTAssertFalse(d.featureNames.contains("label"), name)
        }
    }

    func testDigitsValuesAndColumnOrder() throws {
        let d = try Dataset.load(DataFixtures.spec("digits.csv"))
        let header = try CSVReader.read(path: DataFixtures.path("digits.csv")).header
        XCTAssertEqual(d.featureNames, Array(header.dropLast()), "features are the non-label columns in file order")
        XCTAssertEqual(d.classNames, (0...9).map(String.init))
        // Row 0 of sklearn's digits: 0,0,5,13,9,1,0,0,… label 0.
        XCTAssertEqual(Array(d.rawFeatures[0..<8]), [0, 0, 5, 13, 9, 1, 0, 0])
        XCTAssertEqual(d.labels[0], 0)
        XCTAssertEqual(d.labels[1], 1)
        XCTAssertTrue(d.rawFeatures.allSatisfy { $0 >= 0 && $0 <= 16 && $0 == $0.rounded() })
        XCTAssertEqual(d.labels.count, 1797)
    }

    func testIrisFloatValuesRoundTrip() throws {
        let p = try Dataset.load(DataFixtures.spec("iris.csv", split: SplitRule(.ordered, train: 1, valid: 0))).prepare()
        XCTAssertEqual(Array(p.train.features[0..<4]), [5.1, 3.5, 1.4, 0.2])
        XCTAssertEqual(p.featureNames, ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"])
        XCTAssertEqual(p.train.rowCount, 150)
    }

    func testStringLabelsBecomeSortedIDsAndTextIsKept() throws {
        let d = try Dataset.load(DataFixtures.spec("wordnet-glosses.csv", text: "text"))
        XCTAssertEqual(d.rowCount, 4200)
        XCTAssertEqual(d.classNames, ["animal", "artifact", "food", "location", "person", "plant"])
        XCTAssertEqual(d.featureCount, 0, "text and label are the only columns")
        XCTAssertEqual(d.texts.count, 4200)
        XCTAssertEqual(d.texts[0], "parboiled green peppers stuffed usually with rice and meat and baked briefly")
        XCTAssertEqual(d.classNames[Int(d.labels[0])], "food")
        XCTAssertEqual(d.classNames[Int(d.labels[1])], "animal")
        for k in 0..<6 { XCTAssertEqual(d.labels.filter { $0 == Int32(k) }.count, 700) }
        let split = try d.prepare()
        XCTAssertEqual(split.train.texts.count, split.train.rowCount)
        XCTAssertEqual(split.train.texts[0], d.texts[split.train.sourceRows[0]])
    }

    func testDeclaredFeaturesOrderAndMissingColumn() throws {
        let d = try Dataset.load(DataFixtures.spec("iris.csv", features: ["petal width (cm)", "sepal length (cm)"]))
        XCTAssertEqual(d.featureNames, ["petal width (cm)", "sepal length (cm)"])
        XCTAssertEqual(Array(d.rawFeatures[0..<2]), [0.2, 5.1])

        do { _ = try Dataset.load(DataFixtures.spec("iris.csv", label: "species")); XCTFail("expected an error") } catch let e as DataError {
            guard case let .missingColumn(name, available) = e.reason else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "species")
            XCTAssertEqual(available.last, "label")
            XCTAssertTrue(e.description.contains("no column named 'species'"))
        }
    }

    func testBinaryAndRegressionTargets() throws {
        let cancer = try Dataset.load(DataFixtures.spec("breast_cancer.csv", target: .binary))
        XCTAssertEqual(cancer.targets.count, 569)
        XCTAssertEqual(cancer.targets, cancer.labels.map { Float($0) })
        XCTAssertEqual(cancer.classNames, ["0", "1"])

        // Checked on the rows a stage uses (`prepare`), all of them here.
        do { _ = try Dataset.load(DataFixtures.spec("iris.csv", target: .binary)).prepare(); XCTFail("label 2 is not 0/1") } catch let e as DataError {
            guard case let .invalidLabel(_, row, value, _) = e.reason else { return XCTFail("\(e)") }
            XCTAssertEqual(row, 100)
            XCTAssertEqual(value, "2")
            XCTAssertEqual(e.line, 102)
        }

        let p = try DataFixtures.temporaryCSV("x,y\n1,yes\n2,no\n3,yes\n")
        defer { try? FileManager.default.removeItem(atPath: p) }
        let yesNo = try Dataset.load(DataSpec(source: .csv(path: p), label: "y", target: .binary, split: SplitRule(.ordered, train: 1, valid: 0)))
        XCTAssertEqual(yesNo.classNames, ["no", "yes"])
        XCTAssertEqual(yesNo.targets, [1, 0, 1])

        let reg = try Dataset.load(DataFixtures.spec("iris.csv", label: "petal width (cm)", target: .regression))
        XCTAssertEqual(reg.targets[0], 0.2)
        XCTAssertTrue(reg.labels.isEmpty)
        XCTAssertTrue(reg.featureNames.contains("label"), "with another label column, `label` is a feature")
    }

    /// Loads are cached per process, but a file edited on disk (same size, newer time) is read again.
    func testAnEditedFileIsReadAgain() throws {
        let p = try DataFixtures.temporaryCSV("x,y\n1,0\n2,1\n")
        defer { try? FileManager.default.removeItem(atPath: p) }
        let spec = DataSpec(source: .csv(path: p), label: "y", split: SplitRule(.ordered, train: 1, valid: 0))
        XCTAssertEqual(try Dataset.load(spec).rawFeatures, [1, 2])
        XCTAssertEqual(try Dataset.load(spec).rawFeatures, [1, 2])
        try "x,y\n7,0\n8,1\n".write(toFile: p, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: p)
        XCTAssertEqual(try Dataset.load(spec).rawFeatures, [7, 8])
    }

    func testBadClassLabelsAreErrors() throws {
        let p = try DataFixtures.temporaryCSV("x,y\n1,0\n2,1.5\n")
        defer { try? FileManager.default.removeItem(atPath: p) }
        do { _ = try Dataset.load(DataSpec(source: .csv(path: p), label: "y", split: SplitRule(.ordered, train: 1, valid: 0))); XCTFail() } catch let e as DataError {
            guard case let .invalidLabel(column, row, value, _) = e.reason else { return XCTFail("\(e)") }
            XCTAssertEqual([column, value], ["y", "1.5"])
            XCTAssertEqual(row, 1)
        }
    }

    func testUnreadableFileIsAnErrorNotACrash() {
        XCTAssertThrowsError(try Dataset.load(DataFixtures.spec("no-such-file.csv"))) { error in
            guard let e = error as? DataError, case .unreadable = e.reason else { return XCTFail("\(error)") }
        }
    }

    func testFingerprintInputsAreTheSourceFile() {
        let spec = DataFixtures.spec("digits.csv")
        XCTAssertEqual(spec.inputPaths, [DataFixtures.path("digits.csv")])
        XCTAssertEqual(DataSpec(source: .jsonl(path: "a/b.jsonl"), split: SplitRule(.ordered, train: 1, valid: 0)).inputPaths, ["a/b.jsonl"])
    }
}
