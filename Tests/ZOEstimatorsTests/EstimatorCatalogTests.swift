import XCTest
import ZOEstimators

final class EstimatorCatalogTests: XCTestCase {
    func testCatalogMapsNamesToEstimators() {
        XCTAssertEqual(EstimatorCatalog.names, ["dizo", "mezo", "pgap", "subzero"])
        XCTAssertTrue(EstimatorCatalog.makeDefault(named: "mezo") is MeZO)
        XCTAssertTrue(EstimatorCatalog.makeDefault(named: "subzero") is SubZero)
        XCTAssertTrue(EstimatorCatalog.makeDefault(named: "dizo") is DiZO)
        XCTAssertTrue(EstimatorCatalog.makeDefault(named: "pgap") is PGAP)
        XCTAssertNil(EstimatorCatalog.makeDefault(named: "sgd"))
    }

    func testDefaultsMatchTheDesign() {
        XCTAssertEqual(MeZO().configuration, MeZO.Configuration(perturbationScale: 1e-3, directions: 1, weightDecay: 0))
        XCTAssertEqual(SubZero().configuration.rank, 8)
        XCTAssertEqual(SubZero().configuration.refreshInterval, 1000)
        let dizo = DiZO().configuration
        XCTAssertEqual([dizo.projectionPerturbation, dizo.projectionStepSize, dizo.projectionRadius], [0.1, 2.0, 0.2])
        XCTAssertEqual([dizo.projectionInterval, dizo.projectionIterations], [50, 10])
        let pgap = PGAP().configuration
        XCTAssertEqual([pgap.rank, pgap.windowLength, pgap.probeCount], [64, 100, 10])
        XCTAssertEqual(pgap.alignment, 2)
        XCTAssertEqual(pgap.alignmentSchedule, .linearDecay)
        XCTAssertEqual(pgap.signMode, .perTensor)
        XCTAssertEqual(pgap.directionScale, .subspaceVolume)
        XCTAssertTrue(pgap.lowRankEmbeddings)
    }

    func testConfigurationsRoundTripThroughJSON() throws {
        let pgap = PGAP.Configuration(probeScale: 0.05, alignmentSchedule: .constant, signMode: .perStep, directionScale: .none)
        XCTAssertEqual(try JSONDecoder().decode(PGAP.Configuration.self, from: JSONEncoder().encode(pgap)), pgap)
        XCTAssertThrowsError(try MeZO(configuration: .init(directions: 0)).makeState(for: TrainableSet(arena: makeSmallArena()), runSeed: 0))
    }
}
